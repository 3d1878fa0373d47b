//go:build !windows

package test

import (
	"fmt"
	"net"
	"syscall"
	"testing"
)

// evictionLines is what the eviction tests' room process writes: numbered
// lines of evictionLineSize bytes, 20 MB, far more than a client window of
// a few KiB, the server's send buffer and a room queue hold together.
const evictionLines, evictionLineSize = 20000, 1008

// smallWindowDialer dials with a receive buffer of 4 KiB, set before the
// connection is made so that the window the server sees is that small: a
// client that does not read fills it at once.
func smallWindowDialer() *net.Dialer {
	return &net.Dialer{Timeout: readTimeout, Control: func(_, _ string, raw syscall.RawConn) error {
		var err error
		raw.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
		})
		return err
	}}
}

// evictedClient starts a room whose process floods its one client, a raw
// client that reads nothing until the room has found it too slow.
func evictedClient(t *testing.T) (*server, *rawConn) {
	flood := fmt.Sprintf(`exec awk 'BEGIN { pad = sprintf("%%1000s", ""); `+
		`for (i = 0; i < %d; i++) printf "%%07d %%s\n", i, pad }'`, evictionLines)
	s := startServer(t, "--room", "--roomslowms=200", script(t, "flood.sh", flood+"\n"))
	c := dialRawWith(t, smallWindowDialer(), s.addr, "/")
	if len(s.awaitLines("room client too slow", 1)) == 0 {
		t.Fatalf("the client that reads nothing was not found too slow:\n%s", s.out)
	}
	return s, c
}

// checkEvictionLine checks that message i of the flood came whole.
func checkEvictionLine(t *testing.T, i int, ev event) {
	t.Helper()
	if want := fmt.Sprintf("%07d ", i); ev.opcode != opText || len(ev.payload) != evictionLineSize ||
		string(ev.payload[:len(want)]) != want {
		t.Fatalf("message %d: opcode %#x, %d bytes %.12q; want line %d whole", i, ev.opcode, len(ev.payload), ev.payload, i)
	}
}

// A client closed as too slow that reads again within the grace gets the
// message that was under way whole, then the close frame 1008, and the
// log says it was closed with 1008.
func TestRoomSlowClientGetsWholeMessagesThen1008(t *testing.T) {
	s, c := evictedClient(t)
	for i := 0; ; i++ {
		ev := c.next()
		if ev.err != nil {
			t.Fatalf("after %d whole messages: %v; want the close frame 1008", i, ev.err)
		}
		if ev.opcode == opClose {
			if closeCode(ev.payload) != 1008 || string(ev.payload[2:]) != "too slow" {
				t.Fatalf("after %d messages: close %d %q, want 1008 \"too slow\"", i, closeCode(ev.payload), ev.payload)
			}
			t.Logf("closing figure: %d whole messages reached the slow client before its 1008", i)
			break
		}
		checkEvictionLine(t, i, ev)
	}
	c.expectEOF()
	if len(s.awaitLines("room client too slow, closed with 1008", 1)) == 0 {
		t.Fatalf("the log does not say the client was closed with 1008:\n%s", s.out)
	}
}

// A client closed as too slow that reads nothing within the grace is cut
// off; the log says so, and does not claim a close frame it never got.
func TestRoomSlowClientThatNeverReadsIsDroppedWithoutAClaim(t *testing.T) {
	s, c := evictedClient(t)
	if len(s.awaitLines("room client too slow, dropped without a close frame", 1)) == 0 {
		t.Fatalf("the log does not say the client was dropped:\n%s", s.out)
	}
	if claims := s.out.lines("closed with 1008"); len(claims) > 0 {
		t.Fatalf("the log claims a close frame the client never got: %q", claims)
	}
	// What reached the client before the cut: whole messages in order,
	// perhaps one cut short, then the end; no close frame.
	for i := 0; ; i++ {
		ev := c.next()
		if ev.err != nil {
			break
		}
		if ev.opcode == opClose {
			t.Fatalf("a close frame %d came after the server said it sent none", closeCode(ev.payload))
		}
		checkEvictionLine(t, i, ev)
	}
}
