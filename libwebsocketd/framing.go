package libwebsocketd

import (
	"bytes"
	"errors"
	"io"
)

// maxLineSize bounds what one stdout line may hold in memory: a longer line
// is sent as several messages rather than buffered without limit.
const maxLineSize = 64 << 20

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
type lineReader struct {
	in      input
	buf     *[]byte // from readBuffers; nil while nothing is unread
	data    []byte  // the unread part of *buf
	partial []byte
	err     error // how the input ended, once it has
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{in: newLazyInput(r)}
}

func (l *lineReader) next() ([]byte, error) {
	if len(l.partial) == 0 && cap(l.partial) > maxKeptPartial {
		l.partial = nil // let a long line's memory go
	}
	for {
		if i := bytes.IndexByte(l.data, '\n'); i >= 0 {
			line := l.data[:i+1]
			l.data = l.data[i+1:]
			if len(l.partial) > 0 {
				line = l.takePartial(line)
			}
			return trimLineEnd(line), nil
		}
		l.partial = append(l.partial, l.data...)
		l.release()
		if len(l.partial) >= maxLineSize || (l.err != nil && len(l.partial) > 0) {
			// Too long to wait for its end, or the last line, which
			// needs no newline to be a line.
			return l.takePartial(nil), nil
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

// chunkReader makes one binary message of whatever one read returns, so
// bytes reach the client as soon as the child writes them.
type chunkReader struct {
	in  input
	buf *[]byte // holds the last chunk returned
}

func newChunkReader(r io.Reader) *chunkReader {
	return &chunkReader{in: newLazyInput(r)}
}

func (c *chunkReader) next() ([]byte, error) {
	for {
		c.release()
		buf, n, err := c.in.read()
		c.buf = buf
		if n > 0 {
			return (*buf)[:n], nil // an error comes again at the next read
		}
		if err != nil {
			c.release()
			return nil, err
		}
	}
}

func (c *chunkReader) release() {
	if c.buf != nil {
		readBuffers.Put(c.buf)
		c.buf = nil
	}
}

func (c *chunkReader) buffered() bool { return false }
