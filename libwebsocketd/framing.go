package libwebsocketd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxLineSize bounds what one stdout line may hold in memory: a longer line
// is sent as several messages rather than buffered without limit.
const maxLineSize = 64 << 20

// stdoutBufferSize is the read buffer on the child's stdout; in binary mode
// it is also the largest message one read produces.
const stdoutBufferSize = 16 << 10

// frameReader cuts the child's output into messages.
type frameReader interface {
	// next returns the next message, valid until the following call, or
	// an error (io.EOF once the output is over and everything returned).
	next() ([]byte, error)
	// buffered reports whether next can return without waiting.
	buffered() bool
}

// lineReader makes one message of each line, without its LF or CRLF.
type lineReader struct {
	r    *bufio.Reader
	long []byte // a line longer than the buffer, being put together
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, stdoutBufferSize)}
}

func (l *lineReader) next() ([]byte, error) {
	l.long = l.long[:0]
	for {
		chunk, err := l.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			l.long = append(l.long, chunk...)
			if len(l.long) >= maxLineSize {
				return l.long, nil
			}
			continue
		}
		line := chunk
		if len(l.long) > 0 {
			l.long = append(l.long, chunk...)
			line = l.long
		}
		if err != nil {
			if len(line) > 0 {
				// A last line without a newline is still a line; the
				// next call reports the end of the output.
				return line, nil
			}
			return nil, err
		}
		return trimLineEnd(line), nil
	}
}

func (l *lineReader) buffered() bool {
	return l.r.Buffered() > 0 && bytes.IndexByte(peekBuffered(l.r), '\n') >= 0
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
	r *bufio.Reader
}

func newChunkReader(r io.Reader) *chunkReader {
	return &chunkReader{r: bufio.NewReaderSize(r, stdoutBufferSize)}
}

func (c *chunkReader) next() ([]byte, error) {
	if _, err := c.r.Peek(1); err != nil {
		return nil, err
	}
	chunk := peekBuffered(c.r)
	c.r.Discard(len(chunk)) // the slice stays valid until the next read
	return chunk, nil
}

func (c *chunkReader) buffered() bool { return false }

func peekBuffered(r *bufio.Reader) []byte {
	chunk, _ := r.Peek(r.Buffered())
	return chunk
}
