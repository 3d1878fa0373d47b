package pipes

// ChunkReader makes one message of whatever one read returns, so bytes
// reach the client as soon as the child writes them.
type ChunkReader struct {
	in  Input
	buf *[]byte // holds the last chunk returned
}

// NewChunkReader reads in a read at a time.
func NewChunkReader(in Input) *ChunkReader {
	return &ChunkReader{in: in}
}

// Next returns what the next read of the input returned, valid until the
// following call, or the error that ended it.
func (c *ChunkReader) Next() ([]byte, error) {
	for {
		c.release()
		buf, n, err := c.in.Read()
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

func (c *ChunkReader) release() {
	if c.buf != nil {
		readBuffers.Put(c.buf)
		c.buf = nil
	}
}

// Buffered is always false: each chunk is one read.
func (c *ChunkReader) Buffered() bool { return false }
