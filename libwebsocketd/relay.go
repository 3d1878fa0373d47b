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

// The relay is two pumps, one per direction, each on its own goroutine so
// that neither direction can hold up the other: pumpStdin here, and the
// output side (output.go), whose goroutine runs only while the child has
// output. Backpressure is natural: a pump that cannot write stops reading,
// and the pipe or the TCP window pushes back on the writer behind it.

// pumpStdin copies client messages to the child's stdin. It owns the end
// of the session's reading side: when the client closes, fails or breaks
// the connection, it closes the socket and stops the child.
func (s *session) pumpStdin() {
	defer s.pumpDone()
	stdin := s.serve.input(s.sock.conn.UnderlyingConn(), s.log)
	childReads := true
	for {
		message, err := s.sock.readMessage()
		if err != nil {
			s.logReadEnd(err)
			stdin.finish(err) // what came before the end still goes to the child
			break
		}
		if !childReads {
			continue // keep reading: pongs and the close frame still matter
		}
		stdin.write(message, s.sock.lastKind)
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
	s.noteReadEnd()
	s.ops.ended(outcomeClientClosed)
	s.sock.close()
	s.serve.stop()
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

// streamMessage wraps a line for --passstderr: {"stream":…,"data":…}.
func streamMessage(stream string, line []byte) []byte {
	message, _ := json.Marshal(struct {
		Stream string `json:"stream"`
		Data   string `json:"data"`
	}{stream, string(line)})
	return message
}
