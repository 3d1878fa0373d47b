package libwebsocketd

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"time"
)

// stdinBufferSize is the buffer in front of the child's stdin: messages
// that arrive together are written to the pipe in one go.
const stdinBufferSize = 4 << 10

// The relay is two pumps, one per direction, each in its own goroutine so
// that neither direction can hold up the other. Backpressure is natural:
// a pump that cannot write stops reading, and the pipe or the TCP window
// pushes back on the writer behind it.

// pumpStdin copies client messages to the child's stdin. It owns the end
// of the session's reading side: when the client closes, fails or breaks
// the connection, it closes the socket and stops the child.
func (s *session) pumpStdin() {
	defer s.pumpDone()
	pipe := stdinWriter{pipe: s.proc.stdin, client: s.sock.conn.UnderlyingConn()}
	stdin := bufio.NewWriterSize(pipe, stdinBufferSize)
	childReads := true
	for {
		message, err := s.sock.readMessage()
		if err != nil {
			s.logReadEnd(err)
			if childReads {
				stdin.Flush() // what came before the end still goes to the child
			}
			break
		}
		if !childReads {
			continue // keep reading: pongs and the close frame still matter
		}
		stdin.Write(message)
		if !s.binary {
			stdin.WriteByte('\n')
		}
		if s.sock.moreBuffered() {
			continue // flush once for the whole burst
		}
		if err := stdin.Flush(); errors.Is(err, errClientHungUp) {
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
		s.log.Error(string(line), "category", "stderr")
		if s.passStderr {
			s.sock.writeMessage(streamMessage("stderr", line), false)
		}
	}
}

// awaitStderr lets the last stderr lines go out before the close frame.
// It is bounded: a process outside the child's group may hold stderr.
func (s *session) awaitStderr() {
	timer := time.NewTimer(closeReplyTimeout)
	defer timer.Stop()
	select {
	case <-s.stderrDone:
	case <-timer.C:
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
