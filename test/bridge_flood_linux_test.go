package test

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sys/unix"
)

// floodTotal is what the flood service would write to a client that does
// not read, were nothing holding it back; floodSlack is the most that may
// be on the way: the kernel's buffers on the service's connection and the
// client's (autotuned up to tcp_rmem's and tcp_wmem's largest), and a
// message in websocketd.
const (
	floodTotal = 512 << 20
	floodSlack = 48 << 20
)

// A service that floods a client that does not read is held back: once
// the buffers toward the client are full, websocketd stops reading the
// service, so its memory stays bounded. The service's kernel says so
// without a clock of ours: websocketd's end advertises a zero window, and
// once that has lasted a retransmission timeout the kernel probes it
// (tcpi_backoff); a websocketd that read ahead of the client would open
// the window again at once, and the service would write the whole flood.
// Once the client reads, the flow goes on.
func TestConnectFloodIsHeldBack(t *testing.T) {
	flood := &floodService{conns: make(chan net.Conn, 1), finished: make(chan struct{})}
	s := startServer(t, "--connect="+startService(t, "tcp", flood.serve))
	client := dialSmallWindow(t, s.url("/"))
	service := <-flood.conns
	waitFor(t, readTimeout, "websocketd to stop reading the service", func() bool {
		if written := flood.written.Load(); written > floodSlack {
			t.Fatalf("the service wrote %d bytes to a client that read none", written)
		}
		select {
		case <-flood.finished:
			t.Fatalf("the service wrote all %d bytes to a client that read none", floodTotal)
		default:
		}
		return tcpInfo(t, service).Backoff > 0
	})
	t.Logf("held back after the service wrote %d bytes", flood.written.Load())
	client.SetReadDeadline(time.Now().Add(readTimeout))
	for read := 0; read < 2*floodSlack; {
		_, message, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("after %d bytes read: %v", read, err)
		}
		read += len(message)
	}
}

// floodService writes floodTotal bytes to its client as fast as it takes
// them, counting them; it hands its connection over first.
type floodService struct {
	conns    chan net.Conn
	written  atomic.Int64
	finished chan struct{}
}

func (f *floodService) serve(conn net.Conn) {
	conn.(*net.TCPConn).SetWriteBuffer(64 << 10) // the service's own buffer stays small
	f.conns <- conn
	chunk := make([]byte, 64<<10)
	for f.written.Load() < floodTotal {
		n, err := conn.Write(chunk)
		f.written.Add(int64(n))
		if err != nil {
			return // websocketd closed the connection
		}
	}
	close(f.finished)
}

// dialSmallWindow opens a WebSocket whose socket takes little before its
// reader does, so that the bytes held on the way stay few.
func dialSmallWindow(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	small := net.Dialer{Control: func(_, _ string, raw syscall.RawConn) error {
		raw.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 64<<10) })
		return nil
	}}
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return small.DialContext(ctx, network, addr)
	}}
	client, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// tcpInfo is the kernel's view of conn.
func tcpInfo(t *testing.T, conn net.Conn) *unix.TCPInfo {
	t.Helper()
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var info *unix.TCPInfo
	raw.Control(func(fd uintptr) { info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) })
	if err != nil {
		t.Fatal(err)
	}
	return info
}
