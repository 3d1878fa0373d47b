package libwebsocketd

// keptOutput is a resumable process's output as its client may still
// need it (--resumems): the latest messages, numbered from 0 in the order
// the process wrote them, so that a client coming back can say how many it
// has and get the rest, each once. It is bounded by limit bytes; each
// message counts keptOverhead more, so that a flood of empty lines is
// bounded too.
type keptOutput struct {
	messages []keptMessage
	first    uint64 // the number of messages[0]
	bytes    int
	limit    int
}

type keptMessage struct {
	kind int
	data []byte
}

// keptOverhead is what a kept message costs beyond its data.
const keptOverhead = 64

// next is the number the next message will have: how many there were.
func (k *keptOutput) next() uint64 { return k.first + uint64(len(k.messages)) }

// add keeps a copy of a message: the codec reuses its buffers.
func (k *keptOutput) add(kind int, data []byte) {
	k.messages = append(k.messages, keptMessage{kind: kind, data: append([]byte(nil), data...)})
	k.bytes += len(data) + keptOverhead
}

// trim drops the oldest messages while over the limit, but only those
// numbered below delivered (sent to a client, which may have them). It
// reports whether what remains fits: false means output no client has
// seen would have to go.
func (k *keptOutput) trim(delivered uint64) bool {
	for k.bytes > k.limit && k.first < delivered && len(k.messages) > 0 {
		k.bytes -= len(k.messages[0].data) + keptOverhead
		k.messages[0] = keptMessage{} // let the GC have it
		k.messages = k.messages[1:]
		k.first++
	}
	return k.bytes <= k.limit
}

// since returns the messages numbered from n on; ok is false when n is
// not kept: older ones were dropped, or n is ahead of the output.
func (k *keptOutput) since(n uint64) (messages []keptMessage, ok bool) {
	if n < k.first || n > k.next() {
		return nil, false
	}
	return k.messages[n-k.first:], true
}
