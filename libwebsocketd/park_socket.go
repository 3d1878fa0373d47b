package libwebsocketd

import (
	"bufio"
	"errors"
	"os"
	"sync"
	"time"
)

// The socket's side of parking a quiet client's reader (park_watch.go has
// the watcher's): the linger, the control frames read ahead meanwhile, and
// the read buffer, which a parked reader lends back to a pool.

// readAheadBuffers lend parked readers' buffers to the readers at work,
// and to new connections.
var readAheadBuffers sync.Pool

// lendReader is a new connection's reader of wire: one that a parked
// reader lent back, or else httpReader, net/http's reader of the
// connection, which a hijack leaves to the GC anyway (it never goes back
// to net/http's pool). Either way a handshake allocates no read buffer of
// its own, and the pool's buffers go round instead of piling up until the
// GC takes them.
func lendReader(wire *wireConn, httpReader *bufio.Reader) *bufio.Reader {
	r, ok := readAheadBuffers.Get().(*bufio.Reader)
	if !ok {
		r = httpReader
	}
	r.Reset(wire)
	return r
}

// readerLoop is what reads a socket (the session's stdin pump): it runs
// until the socket ends or its reader parks, and again once it wakes.
type readerLoop interface{ run() }

// parkWith lets the reader park while the client is quiet, and loop run
// again then; where that cannot be done the reader blocks as usual.
func (s *socket) parkWith(loop readerLoop) {
	if s.wire == nil || s.reader == nil {
		return
	}
	var deadline func() time.Time
	if s.keepAlive != nil {
		deadline = s.keepAlive.deadline
	}
	s.parking = newReaderPark(s, loop, deadline)
}

// resumeReading runs a woken reader: its buffer back, what woke it read
// ahead, then its loop.
func (s *socket) resumeReading(loop readerLoop) {
	s.takeReadBuffer()
	s.readAhead()
	loop.run()
}

// readAhead reads what woke a parked reader, so that the next look at
// what is read ahead sees it. The socket is readable, so this does not
// wait, unless the reader was woken for good (then it waits, for the
// close reply say, as a read without parking would). A failed read stops
// the parking: the next read meets the same end and reports it.
func (s *socket) readAhead() {
	if _, err := s.reader.Peek(1); err != nil {
		s.parking.wake()
	}
}

// parkIfQuiet parks the reader once the client has been quiet for
// inputLinger, with nothing but ping and pong frames read ahead (those are
// handled here as gorilla would handle them). It reports whether it
// parked: the caller's goroutine then returns.
//
// A client that has sent no message yet parks at once: the linger is for
// the bursts of a client at work, and a new one has none to go on with.
// Most of a room's clients never send, and parked at once they hand their
// read buffers on to the next handshakes.
func (s *socket) parkIfQuiet() bool {
	if s.parking == nil {
		return false
	}
	s.releaseInbox() // the last message is handed on: a quiet client holds none
	for s.handleLeadingControlFrames() {
		if s.lastKind == 0 {
			return s.park()
		}
		quiet, failed := s.lingerForInput()
		switch {
		case failed:
			return false // the read that follows reports why
		case quiet:
			return s.park()
		}
	}
	return false // a data or close frame is coming: read it
}

// lingerForInput waits up to inputLinger for the client to send. quiet
// says it sent nothing; failed, that the read ended otherwise (the
// connection's end, the keep-alive deadline, a wake for good).
func (s *socket) lingerForInput() (quiet, failed bool) {
	if !s.parking.startLinger() {
		return false, true
	}
	_, err := s.reader.Peek(1)
	s.parking.endLinger()
	if err == nil {
		return false, false
	}
	if errors.Is(err, os.ErrDeadlineExceeded) && !s.parking.keepAliveOverdue() {
		return true, false
	}
	return false, true
}

// handleLeadingControlFrames answers the pings and takes the pongs read
// ahead, with gorilla's own handlers (keepalive.go sets the pong's). It
// reports whether nothing else is read ahead.
func (s *socket) handleLeadingControlFrames() bool {
	for s.reader.Buffered() > 0 {
		opcode, payload, size, ok := leadingPingOrPong(peekBuffered(s.reader))
		if !ok {
			return false
		}
		s.reader.Discard(size)
		handle := s.conn.PongHandler()
		if opcode == opcodePing {
			handle = s.conn.PingHandler()
		}
		if handle(string(payload)) != nil {
			// gorilla would end the reading with this error; the
			// blocking read that follows ends it soon enough.
			s.parking.wake()
			return false
		}
	}
	return true
}

// park has the watcher wait for the client, the read buffer lent back
// meanwhile (nothing is read ahead).
func (s *socket) park() bool {
	shell := new(bufio.Reader)
	*shell = *s.reader
	*s.reader = bufio.Reader{} // no read comes until takeReadBuffer
	if !s.parking.park() {
		*s.reader = *shell
		return false
	}
	s.lendReadBuffer(shell)
	return true
}

// takeReadBuffer gives a reader back from parking a read buffer, before
// anything reads. gorilla holds the socket's *bufio.Reader, so the buffer
// comes in by value: the pooled reader it came in is dropped, not put
// back, as both would share the buffer.
func (s *socket) takeReadBuffer() {
	lent, ok := readAheadBuffers.Get().(*bufio.Reader)
	if !ok {
		lent = bufio.NewReaderSize(nil, socketReadBufferSize)
	}
	lent.Reset(s.wire)
	*s.reader = *lent
}
