package libwebsocketd

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"sync"
)

// stdinBufferSize is the buffer in front of the child's stdin: messages
// that arrive together are written to the pipe in one go.
const stdinBufferSize = 4 << 10

// stdinBuffers lend the stdin pump its buffer for one burst at a time: a
// session whose client is quiet holds none.
var stdinBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, stdinBufferSize) }}

// bigStdinBufferSize is the buffer of a burst that outgrew stdinBufferSize:
// a pipe's capacity, and what a busy client's socket gives in one read
// (readbuffer.go). Through 4 KiB, such a burst took 16 pipe writes, and
// as many wake-ups of the child.
const bigStdinBufferSize = 64 << 10

var bigStdinBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bigStdinBufferSize) }}

// The relay is two pumps, one per direction, each on its own goroutine so
// that neither direction can hold up the other: stdinPump here, and the
// output side (output.go), whose goroutine runs only while the child has
// output. Backpressure is natural: a pump that cannot write stops reading,
// and the pipe or the TCP window pushes back on the writer behind it.

// stdinPump copies client messages to the child's stdin. It owns the end
// of the session's reading side: when the client closes, fails or breaks
// the connection, it closes the socket and stops the child. While the
// client is quiet its goroutine may stop, and another one goes on later
// (park_watch.go): what it needs between messages is kept here.
type stdinPump struct {
	s          *session
	stdin      messageSink
	childReads bool // false once the child no longer reads: drop messages
}

func (s *session) newStdinPump() *stdinPump {
	return &stdinPump{s: s, stdin: s.serve.input(s.codec, s.sock.conn.UnderlyingConn(), s.log), childReads: true}
}

// run reads messages until the client's side ends, or until the reader
// parks, to run again once the client is readable.
func (p *stdinPump) run() {
	s := p.s
	var readErr error
	for {
		if s.sock.parkIfQuiet() {
			return
		}
		message, err := s.sock.readMessage()
		if err != nil {
			s.logReadEnd(err)
			p.stdin.finish(err) // what came before the end still goes to the child
			readErr = err
			break
		}
		if p.pass(message) {
			readErr = errClientHungUp
			break
		}
	}
	s.noteReadEnd()
	dropped := s.droppedWithoutClose(readErr) // before the outcome below; false without --resumems
	s.acct.ended(outcomeClientClosed)
	s.sock.close()
	if !s.keepProcess(dropped) {
		s.serve.stop()
	}
	s.pumpDone()
}

// pass gives one message to the child, and the burst it ends once no
// other is read ahead. It reports whether the client has hung up.
func (p *stdinPump) pass(message []byte) (clientGone bool) {
	if !p.childReads {
		return false // keep reading: pongs and the close frame still matter
	}
	p.stdin.write(message, p.s.sock.lastKind)
	if p.s.sock.moreBuffered() {
		return false // flush once for the whole burst
	}
	if err := p.stdin.flush(); errors.Is(err, errClientHungUp) {
		p.s.log.Debug("connection ended", "error", err)
		return true
	} else if err != nil {
		p.s.log.Debug("child no longer reads stdin", "error", err)
		p.childReads = false
	}
	return false
}

// burstWriter gathers a burst of messages for the child's stdin in a
// pooled buffer, and gives the buffer back once the burst is written.
type burstWriter struct {
	pipe io.Writer
	w    *bufio.Writer // from stdinBuffers; nil between bursts
}

func (b *burstWriter) write(message []byte, newline bool) {
	b.makeRoom(len(message) + 1)
	b.w.Write(message)
	if newline {
		b.w.WriteByte('\n')
	}
}

// makeRoom takes a buffer at a burst's first message, and a big one once
// the small one cannot take the next n bytes: what it holds goes to the
// pipe, the rest of the burst is gathered in the big one (a message bigger
// than that goes to the pipe as it is).
func (b *burstWriter) makeRoom(n int) {
	if b.w == nil {
		b.w = stdinBuffers.Get().(*bufio.Writer)
		b.w.Reset(b.pipe)
	}
	if n <= b.w.Available() || b.w.Size() >= bigStdinBufferSize {
		return
	}
	if b.w.Flush() != nil {
		return // the error stays in b.w, for flush to report
	}
	b.w.Reset(nil)
	stdinBuffers.Put(b.w)
	b.w = bigStdinBuffers.Get().(*bufio.Writer)
	b.w.Reset(b.pipe)
}

func (b *burstWriter) flush() error {
	if b.w == nil {
		return nil
	}
	err := b.w.Flush()
	b.w.Reset(nil) // forget the pipe, and any error, before the next user
	if b.w.Size() >= bigStdinBufferSize {
		bigStdinBuffers.Put(b.w)
	} else {
		stdinBuffers.Put(b.w)
	}
	b.w = nil
	return err
}

// streamMessage wraps a line for --passstderr: {"stream":…,"data":…}.
func streamMessage(stream string, line []byte) []byte {
	message, _ := json.Marshal(struct {
		Stream string `json:"stream"`
		Data   string `json:"data"`
	}{stream, string(line)})
	return message
}
