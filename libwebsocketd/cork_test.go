package libwebsocketd

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"
)

// recordingConn keeps every write it gets, each as it came.
type recordingConn struct {
	net.Conn
	writes []string
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, string(p))
	return len(p), nil
}

func (c *recordingConn) Close() error                     { return nil }
func (c *recordingConn) SetWriteDeadline(time.Time) error { return nil }

func TestWireConnHoldsBursts(t *testing.T) {
	rec := &recordingConn{}
	wire := &wireConn{Conn: rec}
	write := func(s string) {
		t.Helper()
		if n, err := wire.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	write("direct")
	wire.hold(true)
	write("a")
	write("b")
	if len(rec.writes) != 1 {
		t.Fatalf("held writes went out: %q", rec.writes)
	}
	wire.hold(false)
	write("c") // not holding: goes out, after what was held, in one write
	wire.hold(true)
	write("d")
	if err := wire.flush(); err != nil {
		t.Fatal(err)
	}
	write("e") // still holding
	big := strings.Repeat("x", corkLimit)
	write(big) // too big to hold: goes out at once with what was held
	want := []string{"direct", "abc", "d", "e", big}
	if got := strings.Join(rec.writes, "|"); got != strings.Join(want, "|") {
		t.Errorf("writes reached the network as %.40q, want %.40q", rec.writes, want)
	}
	if wire.held != nil {
		t.Error("a buffer is held with nothing in it")
	}
}

func TestWireConnCloseSendsWhatIsHeld(t *testing.T) {
	rec := &recordingConn{}
	wire := &wireConn{Conn: rec}
	wire.hold(true)
	wire.Write([]byte("last frame"))
	wire.Close()
	if !bytes.Equal([]byte(strings.Join(rec.writes, "")), []byte("last frame")) {
		t.Errorf("close sent %q, want the held frame", rec.writes)
	}
}
