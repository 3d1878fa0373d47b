package libwebsocketd

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/gorilla/websocket"
)

// DefaultMaxLineSize is the longest line (or, with --framed, message) a
// child may write when the configuration names no bound: as a line is
// held whole until its end comes, the bound is what one session's output
// may cost in memory.
const DefaultMaxLineSize = 1 << 20

// LargestMaxLineSize is the most --maxlinesize may be: the most a framed
// header can announce.
const LargestMaxLineSize = maxFramedLength

// stdoutBufferSize is the most one read of the child's output takes; in
// binary mode it is also the largest message one read produces. It is a
// pipe's default capacity: one read empties a full pipe (64 KiB binary
// echo: +25% over 16 KiB reads). Buffers are pooled and only held while
// they hold output, so the size costs an idle session nothing.
const stdoutBufferSize = 64 << 10

// maxKeptPartial is the largest buffer for the start of a line that a
// reader keeps once the line is sent.
const maxKeptPartial = 4 << 10

// lineReader makes one message of each line, without its LF or CRLF. It
// holds a read buffer only while a whole line is left in it; the start of
// a line whose end has not come yet waits in partial.
//
// No line is held beyond limit bytes (its line end not counted): a longer
// one is an outputTooBigError, or with split, comes in pieces of limit
// bytes (stderr, which is only logged). A piece may end just before the CR
// of a CRLF that a read cut off from its LF: that line then ends in an
// empty one.
type lineReader struct {
	in      input
	limit   int
	split   bool
	buf     *[]byte // from readBuffers; nil while nothing is unread
	data    []byte  // the unread part of *buf
	partial []byte
	err     error // how the input ended, once it has
}

// newLineReader reads the lines of a child's stdout, refusing one longer
// than limit.
func newLineReader(r io.Reader, limit int) *lineReader {
	return &lineReader{in: newLazyInput(r), limit: limit}
}

// newStderrLines reads the lines of a child's stderr, cutting one longer
// than limit into pieces.
func newStderrLines(in input, limit int) *lineReader {
	return &lineReader{in: in, limit: limit, split: true}
}

func (l *lineReader) next() ([]byte, error) {
	if len(l.partial) == 0 && cap(l.partial) > maxKeptPartial {
		l.partial = nil // let a long line's memory go
	}
	for {
		end := bytes.IndexByte(l.data, '\n')
		if l.overLimit(end) {
			return l.tooLong()
		}
		if end >= 0 {
			line := l.data[:end+1]
			l.data = l.data[end+1:]
			if len(l.partial) > 0 {
				line = l.takePartial(line)
			}
			return trimLineEnd(line), nil
		}
		l.partial = append(l.partial, l.data...)
		l.release()
		if l.err != nil && len(l.partial) > 0 {
			return l.takePartial(nil), nil // the last line needs no newline
		}
		if l.err != nil {
			return nil, l.err
		}
		buf, n, err := l.in.read()
		if errors.Is(err, errWouldBlock) {
			return nil, err // the line so far waits in partial
		}
		l.buf, l.err = buf, err
		if buf != nil {
			l.data = (*buf)[:n]
		}
	}
}

// overLimit reports whether the line that data goes on with is longer
// than the limit: the line up to its LF at end, or, with no LF in data
// (end < 0), the line so far. Without split, the line so far may hold one
// byte more, a CR that the next read may show to be its line end; the
// last line of the output has no line end to leave out.
func (l *lineReader) overLimit(end int) bool {
	n := len(l.partial)
	if end < 0 {
		n += len(l.data)
		if l.split || l.err != nil {
			return n > l.limit
		}
		return n-1 > l.limit // not limit+1, which overflows a 32-bit int
	}
	n += end
	if n > 0 && l.lineByte(n-1) == '\r' {
		n--
	}
	return n > l.limit
}

// lineByte is byte i of the line so far: partial, then data.
func (l *lineReader) lineByte(i int) byte {
	if i < len(l.partial) {
		return l.partial[i]
	}
	return l.data[i-len(l.partial)]
}

// tooLong returns the first piece of a line over the limit with split;
// without, it forgets the line and the rest of the output, and says why.
func (l *lineReader) tooLong() ([]byte, error) {
	if l.split {
		// partial never holds more than limit bytes with split.
		take := l.limit - len(l.partial)
		piece := l.takePartial(l.data[:take])
		l.data = l.data[take:]
		return piece, nil
	}
	l.release()
	l.partial = nil
	l.err = &outputTooBigError{what: "a stdout line", limit: l.limit, reason: "line too long"}
	return nil, l.err
}

// outputTooBigError is output of the child that goes over --maxlinesize:
// the session ends with 1009 and a log line that says how to allow it.
type outputTooBigError struct {
	what   string // what was too big, for the log
	limit  int
	reason string // for the close frame
}

func (e *outputTooBigError) Error() string {
	return fmt.Sprintf("%s is longer than --maxlinesize=%d bytes (raise --maxlinesize to allow it)",
		e.what, e.limit)
}

// closeFrame makes it a closingError (outbound.go): 1009.
func (e *outputTooBigError) closeFrame() (int, string) {
	return websocket.CloseMessageTooBig, e.reason
}

func isOutputTooBig(err error) bool {
	var tooBig *outputTooBigError
	return errors.As(err, &tooBig)
}

// takePartial returns partial with end appended, and empties partial; the
// slice stays valid until the next call of next.
func (l *lineReader) takePartial(end []byte) []byte {
	line := append(l.partial, end...)
	l.partial = line[:0]
	return line
}

func (l *lineReader) release() {
	if l.buf != nil {
		readBuffers.Put(l.buf)
	}
	l.buf, l.data = nil, nil
}

func (l *lineReader) buffered() bool {
	return bytes.IndexByte(l.data, '\n') >= 0
}

// trimLineEnd drops a trailing LF or CRLF.
func trimLineEnd(line []byte) []byte {
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}
