package libwebsocketd

import (
	"bufio"
	"sync"
)

// A socket reads its client through a small buffer (socketReadBufferSize)
// while the client sends little, so that a connection costs little, and
// a parked reader lends even that back (park_socket.go). A client that
// sends in bulk gets a burst-sized buffer at the next message boundary,
// and keeps it until its reader parks. Bulk is a read that filled all the
// room it was given: more was probably waiting in the socket.
//
// Why: each read of the socket is a system call, and each burst that
// reaches the child in two pieces costs two pipe writes and two wake-ups
// of the child. Through 2 KiB, a burst of 32 messages of 64 bytes took
// two reads and two pipe writes, and a 64 KiB message that a client sent
// in 4 KiB fragments took 32 reads. Through 64 KiB, one or two each.
//
// Only a reader that parks grows (the shared watcher's, on Linux): it
// gives the buffer back when its client goes quiet. TLS connections and
// the portable build keep their reader for good, and so their small
// buffer.

// burstReadBufferSize is a busy client's read buffer: a pipe's capacity,
// what the child's side takes in one write.
const burstReadBufferSize = 64 << 10

// burstReadBuffers lend busy readers their buffer.
var burstReadBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, burstReadBufferSize) }}

// growReadBuffer swaps the socket's small read buffer for a burst-sized
// one once a read has filled its buffer. What is unread moves along
// without a read of the socket: the wire hands it to the new buffer's
// first fill. gorilla holds the socket's *bufio.Reader, so the buffers
// change places by value, as in takeReadBuffer.
func (s *socket) growReadBuffer() {
	if s.parking == nil || !s.wire.readFilled() || s.reader.Size() >= burstReadBufferSize {
		return
	}
	unread := peekBuffered(s.reader)
	big := burstReadBuffers.Get().(*bufio.Reader)
	s.wire.unread = unread
	big.Reset(s.wire)
	big.Peek(len(unread)) // takes exactly the unread bytes: the buffer is bigger
	s.wire.unread = nil
	*big, *s.reader = *s.reader, *big
	big.Reset(nil)
	readAheadBuffers.Put(big) // it holds the small buffer now
}

// lendReadBuffer gives a parked reader's buffer (in shell) back to the
// pool of its size; the reader starts small again when it wakes.
func (s *socket) lendReadBuffer(shell *bufio.Reader) {
	s.wire.forgetReadFilled()
	shell.Reset(nil)
	if shell.Size() >= burstReadBufferSize {
		burstReadBuffers.Put(shell)
		return
	}
	readAheadBuffers.Put(shell)
}
