package libwebsocketd

// replayRing keeps the last messages a room broadcast (--roomreplay),
// oldest first, bounded by a count and by the bytes of their data
// (--roomreplaybytes). What it holds is always an unbroken run of the
// latest messages: one too big for the byte bound empties it, rather than
// leaving older messages without the ones after them.
type replayRing[T any] struct {
	maxCount, maxBytes int

	items []replayItem[T] // from head on: the messages kept, oldest first
	head  int
	bytes int
}

// replayItem is one message kept, with its sequence number in the room's
// output and the length of its data as counted against the byte bound.
type replayItem[T any] struct {
	seq    uint64
	length int
	value  T
}

// newReplayRing returns a ring of maxCount messages and maxBytes bytes,
// or nil when maxCount is 0: replay is off and costs nothing.
func newReplayRing[T any](maxCount, maxBytes int) *replayRing[T] {
	if maxCount <= 0 {
		return nil
	}
	return &replayRing[T]{maxCount: maxCount, maxBytes: maxBytes}
}

// add keeps a message, dropping the oldest ones beyond the bounds.
func (r *replayRing[T]) add(seq uint64, length int, value T) {
	if length > r.maxBytes {
		r.reset()
		return
	}
	r.items = append(r.items, replayItem[T]{seq: seq, length: length, value: value})
	r.bytes += length
	for r.len() > r.maxCount || r.bytes > r.maxBytes {
		r.bytes -= r.items[r.head].length
		r.items[r.head] = replayItem[T]{} // let the message go
		r.head++
	}
	if r.head > len(r.items)/2 {
		r.compact()
	}
}

// compact moves the messages kept to the start of the slice, so that
// the dropped ones do not pin a growing backing array.
func (r *replayRing[T]) compact() {
	n := copy(r.items, r.items[r.head:])
	clear(r.items[n:])
	r.items, r.head = r.items[:n], 0
}

func (r *replayRing[T]) reset() {
	r.items, r.head, r.bytes = nil, 0, 0
}

func (r *replayRing[T]) len() int { return len(r.items) - r.head }

// snapshot returns the messages kept, oldest first: a copy, the ring goes
// on.
func (r *replayRing[T]) snapshot() []replayItem[T] {
	if r == nil || r.len() == 0 {
		return nil
	}
	return append([]replayItem[T](nil), r.items[r.head:]...)
}

// lastSeq is the sequence number of the latest message kept, or 0.
func (r *replayRing[T]) lastSeq() uint64 {
	if r == nil || r.len() == 0 {
		return 0
	}
	return r.items[len(r.items)-1].seq
}
