package libwebsocketd

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// hangupCheckInterval is how often a stdin write that the child does not
// take checks whether the client is still there.
const hangupCheckInterval = time.Second

// errClientHungUp ends a stdin write because the client went away.
var errClientHungUp = errors.New("client hung up while the child was not reading stdin")

// stdinWriter writes to the child's stdin. While the child does not read,
// the stdin pump cannot read the socket either (that is the backpressure),
// so nothing would notice a client that leaves; the writer therefore looks
// at the socket now and then, without reading from it. Its deadline is
// moved on only once half of hangupCheckInterval is past (a look every
// half to whole interval): setting it takes the runtime's timer lock, and
// a busy child's stdin is written once per burst.
type stdinWriter struct {
	pipe    deadlineWriter
	client  net.Conn
	renewAt time.Time // when the deadline is next moved on
}

// deadlineWriter is where client messages go: a child's stdin (*os.File),
// or with --connect the service's connection (net.Conn).
type deadlineWriter interface {
	io.Writer
	SetWriteDeadline(t time.Time) error
}

func (w *stdinWriter) Write(p []byte) (int, error) {
	written := 0
	for {
		if now := time.Now(); !now.Before(w.renewAt) {
			w.pipe.SetWriteDeadline(now.Add(hangupCheckInterval))
			w.renewAt = now.Add(hangupCheckInterval / 2)
		}
		n, err := w.pipe.Write(p[written:])
		written += n
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return written, err
		}
		w.renewAt = time.Time{} // the deadline is past: the next write moves it
		if peerHungUp(w.client) {
			return written, errClientHungUp
		}
	}
}

// peerHungUp reports whether the peer has closed or reset its end of conn.
// How far it can see depends on the platform: see socketHungUp.
func peerHungUp(conn net.Conn) bool {
	for {
		inner, ok := conn.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		conn = inner.NetConn() // TLS and our own wrappers
	}
	sysConn, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sysConn.SyscallConn()
	if err != nil {
		return true // closed already
	}
	hungUp := false
	raw.Control(func(fd uintptr) { hungUp = socketHungUp(fd) })
	return hungUp
}
