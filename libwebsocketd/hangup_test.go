//go:build linux

package libwebsocketd

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// loopbackPair returns both ends of a TCP connection on loopback.
func loopbackPair(t *testing.T) (server, client *net.TCPConn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); c.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

// awaitEvent blocks (at most ten seconds) until poll reports one of events
// on conn: the test's way to know that what the client did has arrived,
// without reading it. Linux's POLLRDHUP is fine here: the test runs on
// Linux, in both builds.
func awaitEvent(t *testing.T, conn *net.TCPConn, events int16) {
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	raw.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
		n, err = unix.Poll(fds, 10_000)
	})
	if err != nil || n == 0 {
		t.Fatalf("poll: %d, %v: the client's doing never arrived", n, err)
	}
}

func TestPeerHungUpSeesFINAndReset(t *testing.T) {
	server, client := loopbackPair(t)
	if peerHungUp(server) {
		t.Fatal("a connected, quiet client reported as gone")
	}
	client.CloseWrite()
	awaitEvent(t, server, unix.POLLIN)
	if !peerHungUp(server) {
		t.Error("a FIN with nothing unread before it was not seen")
	}

	server, client = loopbackPair(t)
	client.Write([]byte("unread"))
	client.SetLinger(0)
	client.Close()
	awaitEvent(t, server, unix.POLLERR|unix.POLLHUP)
	if !peerHungUp(server) {
		t.Error("a reset behind unread data was not seen")
	}
}

// A FIN behind unread data: Linux's POLLRDHUP sees it, the portable check
// cannot (its documented limit, hangup_unix.go).
func TestPeerHungUpFINBehindData(t *testing.T) {
	server, client := loopbackPair(t)
	client.Write([]byte("unread"))
	awaitEvent(t, server, unix.POLLIN)
	if peerHungUp(server) {
		t.Fatal("a client that sent data and stays reported as gone")
	}
	client.CloseWrite()
	awaitEvent(t, server, unix.POLLRDHUP)
	if got := peerHungUp(server); got != finBehindDataSeen {
		t.Errorf("peerHungUp = %v, want %v in this build", got, finBehindDataSeen)
	}
}
