package libwebsocketd

import "io"

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
