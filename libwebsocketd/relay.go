package libwebsocketd

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
	"time"
)

// stdinBufferSize is the buffer in front of the child's stdin: messages
// that arrive together are written to the pipe in one go.
const stdinBufferSize = 4 << 10

// stdinBuffers lend the stdin pump its buffer for one burst at a time: a
// session whose client is quiet holds none.
var stdinBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, stdinBufferSize) }}

// The relay is two pumps, one per direction, each in its own goroutine so
// that neither direction can hold up the other. Backpressure is natural:
// a pump that cannot write stops reading, and the pipe or the TCP window
// pushes back on the writer behind it.

// pumpStdin copies client messages to the child's stdin. It owns the end
// of the session's reading side: when the client closes, fails or breaks
// the connection, it closes the socket and stops the child.
func (s *session) pumpStdin() {
	defer s.pumpDone()
	stdin := &burstWriter{pipe: &stdinWriter{pipe: s.proc.stdin, client: s.sock.conn.UnderlyingConn()}}
	childReads := true
	for {
		message, err := s.sock.readMessage()
		if err != nil {
			s.logReadEnd(err)
			if childReads {
				stdin.flush() // what came before the end still goes to the child
			}
			break
		}
		if !childReads {
			continue // keep reading: pongs and the close frame still matter
		}
		stdin.write(message, !s.binary)
		if s.sock.moreBuffered() {
			continue // flush once for the whole burst
		}
		if err := stdin.flush(); errors.Is(err, errClientHungUp) {
			s.log.Debug("connection ended", "error", err)
			break
		} else if err != nil {
			s.log.Debug("child no longer reads stdin", "error", err)
			childReads = false
		}
	}
	s.sock.close()
	s.proc.stop()
}

// burstWriter gathers a burst of messages for the child's stdin in a
// pooled buffer, and gives the buffer back once the burst is written.
type burstWriter struct {
	pipe io.Writer
	w    *bufio.Writer // from stdinBuffers; nil between bursts
}

func (b *burstWriter) write(message []byte, newline bool) {
	if b.w == nil {
		b.w = stdinBuffers.Get().(*bufio.Writer)
		b.w.Reset(b.pipe)
	}
	b.w.Write(message)
	if newline {
		b.w.WriteByte('\n')
	}
}

func (b *burstWriter) flush() error {
	if b.w == nil {
		return nil
	}
	err := b.w.Flush()
	b.w.Reset(nil) // forget the pipe, and any error, before the next user
	stdinBuffers.Put(b.w)
	b.w = nil
	return err
}

// pumpStdout sends the child's output to the client, then, once the child
// is gone, the close frame that reports how it ended.
func (s *session) pumpStdout() {
	defer s.pumpDone()
	frames := s.newFrameReader(s.proc.stdout)
	clientGone := false
	for {
		message, err := frames.next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				s.log.Error("reading stdout", "error", err)
			}
			break
		}
		if clientGone {
			continue // drain, so the child is not stuck on a full pipe
		}
		if s.passStderr {
			message = streamMessage("stdout", message)
		}
		if err := s.sock.writeMessage(message, frames.buffered()); err != nil {
			clientGone = true
			s.sock.close()
		}
	}
	state := s.proc.wait()
	s.logExit(state)
	s.awaitStderr()
	if !clientGone {
		code, reason := exitCloseCode(state)
		s.sock.writeClose(code, reason)
		s.sock.awaitCloseReply()
	}
}

// startStderr has the child's stderr read: by the shared watcher (see
// stderr.go), or, with --passstderr, whose writes to the client may block,
// by a goroutine of its own. Either closes the pipe at its end.
func (s *session) startStderr() {
	if !s.passStderr {
		w, err := sharedStderrWatcher()
		var stream *stderrStream
		if err == nil {
			stream, err = w.watch(s.proc.stderr, s.logStderr, s.stderrDone)
		}
		if err == nil {
			s.stopStderr = func() { stream.stop(w) }
			return
		}
		s.log.Debug("reading stderr with a goroutine", "error", err)
	}
	s.stopStderr = func() { s.proc.stderr.Close() }
	go s.pumpStderr()
}

func (s *session) logStderr(line []byte) {
	s.log.Error(string(line), "category", "stderr")
}

// pumpStderr logs each line the child writes to stderr, and with
// --passstderr sends it to the client too.
func (s *session) pumpStderr() {
	defer close(s.stderrDone)
	defer s.proc.stderr.Close()
	lines := newLineReader(s.proc.stderr)
	for {
		line, err := lines.next()
		if err != nil {
			return
		}
		s.logStderr(line)
		if s.passStderr {
			s.sock.writeMessage(streamMessage("stderr", line), false)
		}
	}
}

// awaitStderr lets the last stderr lines go out before the close frame.
// It is bounded: a process outside the child's group may hold stderr, and
// then the pipe is closed under it.
func (s *session) awaitStderr() {
	timer := time.NewTimer(closeReplyTimeout)
	defer timer.Stop()
	select {
	case <-s.stderrDone:
	case <-timer.C:
		s.stopStderr()
	}
}

// streamMessage wraps a line for --passstderr: {"stream":…,"data":…}.
func streamMessage(stream string, line []byte) []byte {
	message, _ := json.Marshal(struct {
		Stream string `json:"stream"`
		Data   string `json:"data"`
	}{stream, string(line)})
	return message
}

func (s *session) newFrameReader(r io.Reader) frameReader {
	if s.binary {
		return newChunkReader(r)
	}
	return newLineReader(r)
}
