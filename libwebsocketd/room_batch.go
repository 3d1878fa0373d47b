package libwebsocketd

import (
	"bytes"
	"encoding/binary"
	"slices"

	"github.com/gorilla/websocket"
)

// roomBatchBytes is how many bytes of frames a room gathers, while its
// process's output holds more messages ready, before it hands them to
// its clients: each client's queue then takes one entry for all of them,
// and each of its writes sends them in one system call.
const roomBatchBytes = 16 << 10

// roomBatch is one or more messages of a room's output, framed once, back
// to back, for all the clients they are for. It is shared by every queue
// it is in and never changed once handed to one (first is set just
// before, under the room's lock: room_replay.go).
type roomBatch struct {
	// frames are the messages as a server sends them uncompressed: what
	// goes to a client that does not compress, as it is.
	frames   []byte
	messages []batchedMessage
	// prepared holds each message once more, with --compress, for a
	// client that compresses (gorilla compresses it once per level for
	// all of them); nil without.
	prepared []*websocket.PreparedMessage
	payload  int // the messages' bytes, without their headers: for --metrics
	size     int // what the batch holds in memory, as counted against --roomqueue
	// first is the room's number for the first message (--roomreplay);
	// the others follow it in a row. 0: the messages have none.
	first uint64
}

// batchedMessage is one message of a batch: its kind and where its
// payload is in the batch's frames.
type batchedMessage struct {
	kind       int // websocket.TextMessage or BinaryMessage
	start, end int
}

// data is message i's payload, shared with the frames.
func (b *roomBatch) data(i int) []byte {
	m := b.messages[i]
	return b.frames[m.start:m.end:m.end]
}

// seq is message i's number in the room (--roomreplay), or 0.
func (b *roomBatch) seq(i int) uint64 {
	if b.first == 0 {
		return 0
	}
	return b.first + uint64(i)
}

// frameStart is where message i's frame, its header first, begins in the
// frames: where the one before it ends, as they are back to back.
func (b *roomBatch) frameStart(i int) int {
	if i == 0 {
		return 0
	}
	return b.messages[i-1].end
}

// cut returns messages from up to (not including) to as a batch, sharing
// b's frames: for a replay that holds only some of b's messages. It
// counts what b holds, which it keeps in memory.
func (b *roomBatch) cut(from, to int) *roomBatch {
	if from == 0 && to == len(b.messages) {
		return b
	}
	start, end := b.frameStart(from), b.messages[to-1].end
	c := &roomBatch{frames: b.frames[start:end:end], messages: make([]batchedMessage, 0, to-from),
		size: b.size + batchOverhead + (to-from)*messageOverhead}
	for _, m := range b.messages[from:to] {
		c.messages = append(c.messages, batchedMessage{kind: m.kind, start: m.start - start, end: m.end - start})
		c.payload += m.end - m.start
	}
	if b.prepared != nil {
		c.prepared = b.prepared[from:to:to]
	}
	if b.first != 0 {
		c.first = b.first + uint64(from)
	}
	return c
}

// What a batch holds beyond its frames, as counted against --roomqueue:
// the batch itself and each message's place in it. With --compress, each
// message is held once more as a gorilla PreparedMessage (measured with
// gorilla/websocket v1.5.3): NewPreparedMessage frames the message at
// once, in a buffer up to a sixteenth bigger, and the structures around
// it take some 400 bytes; the first send to a client that compresses adds
// a compressed frame: data that does not deflate stays about its size, in
// a buffer grown by doubling, so up to twice that, plus some 110 bytes.
const (
	batchOverhead    = 128
	messageOverhead  = 32
	preparedOverhead = 512
)

// batchBuilder gathers messages into a batch: the room's hub keeps one and
// reuses its buffers from batch to batch.
type batchBuilder struct {
	frames   []byte
	messages []batchedMessage
	prepared []*websocket.PreparedMessage
	payload  int
}

// add frames one more message; with compress (--compress), prepares it
// for clients that compress too. Text that is not UTF-8 has its bad bytes
// replaced (validText).
func (bb *batchBuilder) add(kind int, data []byte, compress bool) {
	data, _ = validText(kind, data)
	bb.frames = appendFrameHeader(bb.frames, kind, len(data))
	start := len(bb.frames)
	bb.frames = append(bb.frames, data...)
	bb.messages = append(bb.messages, batchedMessage{kind: kind, start: start, end: len(bb.frames)})
	bb.payload += len(data)
	if compress {
		// It cannot fail: it frames the plain message into a buffer (the
		// compressed frame comes later, at the first send that needs it).
		prepared, _ := websocket.NewPreparedMessage(kind, data)
		bb.prepared = append(bb.prepared, prepared)
	}
}

// full reports whether the batch is big enough to go without waiting for
// more messages.
func (bb *batchBuilder) full() bool { return len(bb.frames) >= roomBatchBytes }

// empty reports whether the builder holds no message.
func (bb *batchBuilder) empty() bool { return len(bb.messages) == 0 }

// take returns the messages added since the last take as a batch of its
// own, which holds no more memory than they need.
func (bb *batchBuilder) take() *roomBatch {
	b := &roomBatch{frames: bytes.Clone(bb.frames), messages: slices.Clone(bb.messages),
		prepared: slices.Clone(bb.prepared), payload: bb.payload}
	b.size = batchOverhead + cap(b.frames) + cap(b.messages)*messageOverhead
	for i := range b.prepared {
		length := len(b.data(i))
		b.size += 8 + length + length/16 + preparedOverhead + 9*length/4 + 128
	}
	bb.frames, bb.messages, bb.payload = bb.frames[:0], bb.messages[:0], 0
	clear(bb.prepared)
	bb.prepared = bb.prepared[:0]
	return b
}

// appendFrameHeader appends the header of a whole, unmasked frame (a
// server's) of a data message of kind with length bytes (RFC 6455 section
// 5.2). gorilla's message kinds are the frames' opcodes.
func appendFrameHeader(dst []byte, kind, length int) []byte {
	const final = 0x80
	first := byte(final | kind)
	switch {
	case length < 126:
		return append(dst, first, byte(length))
	case length <= 0xffff:
		return binary.BigEndian.AppendUint16(append(dst, first, 126), uint16(length))
	default:
		return binary.BigEndian.AppendUint64(append(dst, first, 127), uint64(length))
	}
}
