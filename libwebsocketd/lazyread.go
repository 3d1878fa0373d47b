package libwebsocketd

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// readBuffers lend the output framers a read buffer only while it holds
// unread output: a session whose child is quiet holds none.
var readBuffers = sync.Pool{New: func() any {
	b := make([]byte, stdoutBufferSize)
	return &b
}}

// lazyInput reads a pipe into a buffer that it takes from readBuffers only
// once the pipe is readable, so that waiting costs no buffer. Any other
// reader (tests use them) is simply read.
type lazyInput struct {
	r   io.Reader
	raw syscall.RawConn // nil unless r is a file
}

func newLazyInput(r io.Reader) *lazyInput {
	in := &lazyInput{r: r}
	if f, ok := r.(*os.File); ok {
		if raw, err := f.SyscallConn(); err == nil {
			in.raw = raw
		}
	}
	return in
}

// read waits for input and reads it into a pooled buffer, which the
// caller hands back to readBuffers once done with what it read. At the
// end of the input it returns io.EOF, and os.ErrClosed once the pipe is
// closed under it.
func (in *lazyInput) read() (buf *[]byte, n int, err error) {
	if in.raw == nil {
		buf = readBuffers.Get().(*[]byte)
		n, err = in.r.Read(*buf)
		return buf, n, err
	}
	var readErr error
	waitErr := in.raw.Read(func(fd uintptr) bool {
		buf = readBuffers.Get().(*[]byte)
		for {
			n, readErr = syscall.Read(int(fd), *buf)
			if readErr != syscall.EINTR {
				break
			}
		}
		if readErr == syscall.EAGAIN {
			readBuffers.Put(buf) // nothing yet: wait without it
			buf = nil
			return false
		}
		return true
	})
	switch {
	case waitErr != nil:
		// The poller only fails a wait when the file is being closed.
		return buf, 0, os.ErrClosed
	case readErr != nil:
		return buf, 0, &os.PathError{Op: "read", Path: "pipe", Err: readErr}
	case n == 0:
		return buf, 0, io.EOF
	}
	return buf, n, nil
}
