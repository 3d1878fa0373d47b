package libwebsocketd

import (
	"errors"
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

// input is where a framer's bytes come from. read returns a buffer from
// readBuffers holding n bytes, which the caller gives back when done.
type input interface {
	read() (buf *[]byte, n int, err error)
}

// errWouldBlock is a pollInput's answer when the pipe is empty just now.
var errWouldBlock = errors.New("nothing to read yet")

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

// read waits for input and reads it. At the end of the input it returns
// io.EOF, and os.ErrClosed once the pipe is closed under it.
func (in *lazyInput) read() (buf *[]byte, n int, err error) {
	if in.raw == nil {
		buf = readBuffers.Get().(*[]byte)
		n, err = in.r.Read(*buf)
		return buf, n, err
	}
	var readErr error
	waitErr := in.raw.Read(func(fd uintptr) bool {
		buf, n, readErr = readPooled(fd)
		return readErr != syscall.EAGAIN // else wait, holding no buffer
	})
	return readResult(buf, n, readErr, waitErr)
}

// pollInput reads a pipe without ever waiting: see stderr.go.
type pollInput struct {
	raw syscall.RawConn
}

func (in pollInput) read() (buf *[]byte, n int, err error) {
	var readErr error
	controlErr := in.raw.Control(func(fd uintptr) {
		buf, n, readErr = readPooled(fd)
	})
	if readErr == syscall.EAGAIN {
		return nil, 0, errWouldBlock
	}
	return readResult(buf, n, readErr, controlErr)
}

// readPooled reads fd into a buffer from readBuffers; when there is
// nothing to read (EAGAIN) it keeps no buffer.
func readPooled(fd uintptr) (*[]byte, int, error) {
	buf := readBuffers.Get().(*[]byte)
	for {
		n, err := syscall.Read(int(fd), *buf)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			readBuffers.Put(buf)
			return nil, 0, err
		}
		return buf, max(n, 0), err
	}
}

// readResult turns a raw read into what os.File.Read would have said.
func readResult(buf *[]byte, n int, readErr, pollErr error) (*[]byte, int, error) {
	switch {
	case pollErr != nil:
		// The poller only fails a file that is being closed.
		return buf, 0, os.ErrClosed
	case readErr != nil:
		return buf, 0, &os.PathError{Op: "read", Path: "pipe", Err: readErr}
	case n == 0:
		return buf, 0, io.EOF
	}
	return buf, n, nil
}
