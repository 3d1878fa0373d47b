package pipes

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// bufferSize is the most one read of a child's output takes; in binary
// mode it is also the largest message one read produces. It is a pipe's
// default capacity: one read empties a full pipe (64 KiB binary echo: +25%
// over 16 KiB reads). Buffers are pooled and only held while they hold
// output, so the size costs an idle session nothing.
const bufferSize = 64 << 10

// readBuffers lend the output framers a read buffer only while it holds
// unread output: a session whose child is quiet holds none.
var readBuffers = sync.Pool{New: func() any {
	b := make([]byte, bufferSize)
	return &b
}}

// GetBuffer lends a read buffer, for an Input of one's own (tests).
func GetBuffer() *[]byte { return readBuffers.Get().(*[]byte) }

// PutBuffer gives back a buffer that an Input's Read returned, once its
// bytes are used.
func PutBuffer(buf *[]byte) { readBuffers.Put(buf) }

// Input is where a framer's bytes come from. Read returns a buffer from
// the pool holding n bytes, which the caller gives back (PutBuffer) when
// done.
type Input interface {
	Read() (buf *[]byte, n int, err error)
}

// ErrWouldBlock is a non-waiting Input's answer when the pipe is empty
// just now: what was read so far waits for the next call.
var ErrWouldBlock = errors.New("nothing to read yet")

// lazyInput reads a pipe into a buffer that it takes from readBuffers only
// once the pipe is readable, so that waiting costs no buffer. Any other
// reader (tests use them) is simply read.
type lazyInput struct {
	r     io.Reader
	raw   syscall.RawConn // nil unless r is a descriptor Go's poller waits on
	tried rawRead
}

// NewLazyInput reads r, which, when it is a pipe or a socket Go's poller
// waits on (an *os.File, a *net.TCPConn or *net.UnixConn), it waits on
// holding no buffer.
func NewLazyInput(r io.Reader) Input {
	in := &lazyInput{r: r}
	if conn, ok := r.(syscall.Conn); ok {
		if raw := pollable(conn); raw != nil {
			in.raw = raw
			in.tried.init()
		}
	}
	return in
}

// Read waits for input and reads it. At the end of the input it returns
// io.EOF, and os.ErrClosed once the pipe is closed under it.
func (in *lazyInput) Read() (buf *[]byte, n int, err error) {
	if in.raw == nil {
		buf = readBuffers.Get().(*[]byte)
		n, err = in.r.Read(*buf)
		return buf, n, err
	}
	waitErr := in.raw.Read(in.tried.untilReadable)
	return in.tried.result(waitErr)
}

// pollInput reads a pipe without ever waiting: see ReadLines.
type pollInput struct {
	raw   syscall.RawConn
	tried rawRead
}

func newPollInput(raw syscall.RawConn) *pollInput {
	in := &pollInput{raw: raw}
	in.tried.init()
	return in
}

func (in *pollInput) Read() (buf *[]byte, n int, err error) {
	controlErr := in.raw.Control(in.tried.once)
	if in.tried.err == syscall.EAGAIN {
		in.tried.err = nil
		return nil, 0, ErrWouldBlock
	}
	return in.tried.result(controlErr)
}

// Linger is how long a drain goroutine keeps waiting on a quiet stdout
// (NewLingerInput), through Go's own poller, before it hands the pipe back
// to the watcher and ends; a quiet client's reader waits as long before it
// is parked. Output comes in bursts: handing back after every burst
// doubled the CPU per echoed message (a thread switch, a new goroutine and
// an epoll_ctl each time), while a goroutine that waits a little costs a
// quiet session nothing once it is gone.
const Linger = 20 * time.Millisecond

// lingerInput reads a pipe as lazyInput does, but gives up waiting after
// Linger of quiet, with ErrWouldBlock. The read deadline is moved on only
// once half of Linger is past (so the quiet it waits for is Linger/2 to
// Linger): setting it costs the runtime's timer lock, and a busy pipe is
// read once per burst.
type lingerInput struct {
	setDeadline func(time.Time) error // the pipe's SetReadDeadline
	raw         syscall.RawConn
	tried       rawRead
	renewAt     time.Time // when the deadline is next moved on
}

// NewLingerInput reads file, a pipe the watcher waits on through raw,
// waiting Linger at most: then it says ErrWouldBlock, and the watcher
// can wait for it again.
func NewLingerInput(file *os.File, raw syscall.RawConn) Input {
	in := &lingerInput{setDeadline: file.SetReadDeadline, raw: raw}
	in.tried.init()
	return in
}

func (in *lingerInput) Read() (buf *[]byte, n int, err error) {
	if now := time.Now(); !now.Before(in.renewAt) {
		in.setDeadline(now.Add(Linger))
		in.renewAt = now.Add(Linger / 2)
	}
	waitErr := in.raw.Read(in.tried.untilReadable)
	if errors.Is(waitErr, os.ErrDeadlineExceeded) {
		in.renewAt = time.Time{} // the next read waits Linger again
		return nil, 0, ErrWouldBlock
	}
	return in.tried.result(waitErr)
}

// rawRead is one read of a descriptor, done inside RawConn.Read or
// Control. Its callbacks are method values made once, in init: a closure
// made for each read would cost allocations on every read.
type rawRead struct {
	buf           *[]byte
	n             int
	err           error
	untilReadable func(fd uintptr) bool
	once          func(fd uintptr)
}

func (r *rawRead) init() {
	r.untilReadable = r.readUnlessEmpty
	r.once = r.read
}

func (r *rawRead) read(fd uintptr) {
	r.buf, r.n, r.err = readPooled(fd)
}

// readUnlessEmpty reads, and reports false (wait, holding no buffer) when
// there is nothing to read yet.
func (r *rawRead) readUnlessEmpty(fd uintptr) bool {
	r.read(fd)
	return r.err != syscall.EAGAIN
}

// result turns the read into what os.File.Read would have said, and
// forgets it.
func (r *rawRead) result(pollErr error) (*[]byte, int, error) {
	buf, n, err := readResult(r.buf, r.n, r.err, pollErr)
	r.buf, r.n, r.err = nil, 0, nil
	return buf, n, err
}

// readPooled reads fd into a buffer from readBuffers; when there is
// nothing to read (EAGAIN) it keeps no buffer.
func readPooled(fd uintptr) (*[]byte, int, error) {
	buf := readBuffers.Get().(*[]byte)
	for {
		n, err := readFD(fd, *buf)
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
	case readErr == syscall.EIO:
		// A pseudo-terminal's master says EIO, on Linux, once every
		// holder of the child's end has closed it and the output
		// before that is read: for a reader it is the end.
		return buf, 0, io.EOF
	case readErr != nil:
		return buf, 0, &os.PathError{Op: "read", Path: "pipe", Err: readErr}
	case n == 0:
		return buf, 0, io.EOF
	}
	return buf, n, nil
}
