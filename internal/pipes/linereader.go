package pipes

import (
	"bytes"
	"errors"
	"fmt"
)

// maxKeptPartial is the largest buffer for the start of a line that a
// reader keeps once the line is sent.
const maxKeptPartial = 4 << 10

// LineReader makes one message of each line, without its LF or CRLF. It
// holds a read buffer only while a whole line is left in it; the start of
// a line whose end has not come yet waits in partial.
//
// No line is held beyond limit bytes (its line end not counted): a longer
// one is a *LineTooLongError, or with split, comes in pieces of limit
// bytes (stderr, which is only logged). A piece may end just before the CR
// of a CRLF that a read cut off from its LF: that line then ends in an
// empty one.
type LineReader struct {
	in      Input
	limit   int
	split   bool
	buf     *[]byte // from readBuffers; nil while nothing is unread
	data    []byte  // the unread part of *buf
	partial []byte
	err     error // how the input ended, once it has
}

// NewLineReader reads the lines of in (a child's stdout), refusing one
// longer than limit.
func NewLineReader(in Input, limit int) *LineReader {
	return &LineReader{in: in, limit: limit}
}

// newSplitLines reads the lines of in (a child's stderr), cutting one
// longer than limit into pieces.
func newSplitLines(in Input, limit int) *LineReader {
	return &LineReader{in: in, limit: limit, split: true}
}

// Next returns the next line, valid until the following call, or an
// error: io.EOF once the input is over and every line returned,
// ErrWouldBlock from an Input that does not wait, a *LineTooLongError, or
// what the input said. After an error but ErrWouldBlock, every call says
// it again.
func (l *LineReader) Next() ([]byte, error) {
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
		buf, n, err := l.in.Read()
		if errors.Is(err, ErrWouldBlock) {
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
func (l *LineReader) overLimit(end int) bool {
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
func (l *LineReader) lineByte(i int) byte {
	if i < len(l.partial) {
		return l.partial[i]
	}
	return l.data[i-len(l.partial)]
}

// tooLong returns the first piece of a line over the limit with split;
// without, it forgets the line and the rest of the output, and says why.
func (l *LineReader) tooLong() ([]byte, error) {
	if l.split {
		// partial never holds more than limit bytes with split.
		take := l.limit - len(l.partial)
		piece := l.takePartial(l.data[:take])
		l.data = l.data[take:]
		return piece, nil
	}
	l.release()
	l.partial = nil
	l.err = &LineTooLongError{Limit: l.limit}
	return nil, l.err
}

// LineTooLongError ends a LineReader's lines at one longer than its limit.
type LineTooLongError struct{ Limit int }

// Error says the limit, in bytes.
func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("a line is longer than %d bytes", e.Limit)
}

// takePartial returns partial with end appended, and empties partial; the
// slice stays valid until the next call of next.
func (l *LineReader) takePartial(end []byte) []byte {
	line := append(l.partial, end...)
	l.partial = line[:0]
	return line
}

func (l *LineReader) release() {
	if l.buf != nil {
		readBuffers.Put(l.buf)
	}
	l.buf, l.data = nil, nil
}

// Buffered reports whether Next can return a line without reading.
func (l *LineReader) Buffered() bool {
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
