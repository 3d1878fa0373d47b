//go:build !windows

package test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A session with no message either way is closed with 1000 "idle
// timeout" and its process stopped, although pings and pongs kept going
// all the while: they are not activity. The client has two ping
// intervals to answer each ping before --pingms fails the connection
// (1006, no idle close): 1.2 s here, which a loaded machine's stalls stay
// well within (50 ms pings were once not answered in time); three pings
// still come before the limit.
func TestIdleTimeoutClosesDespitePings(t *testing.T) {
	s := startServer(t, "--idlems=2000", "--pingms=600", "cat")
	if out := pythonClient(t, s.url("/")); out != "CLOSE 1000 idle timeout" {
		t.Fatalf("python client saw %q, want the idle close", out)
	}
	if pings := s.awaitLines("closing: idle timeout", 1); len(pings) != 1 {
		t.Errorf("want one idle close in the log:\n%s", s.out)
	}
	s.waitNoChildren(readTimeout)
}

// Messages trickling in, or out, keep the session open for longer than
// the limit. The test itself drives every message, one tick at a time
// (outbound: it awaits each before the next), so a gap at the server is
// tickEvery plus a few scheduling delays, small against the limit (a
// loaded machine has been seen to stall a process for most of a second),
// and no child's own sleeps stretch it. The span is a third more than the
// limit by the test's clock, so a limit that did not count the messages
// would fire. Nothing is timed: the session must simply still answer at
// the end. The two run side by side, each for the span.
func TestIdleTimeoutNotEarlyUnderTrickle(t *testing.T) {
	const limit, tickEvery = 3000 * time.Millisecond, 25 * time.Millisecond
	const span = limit * 4 / 3
	idle := fmt.Sprintf("--idlems=%d", limit.Milliseconds())
	t.Run("inbound", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, idle,
			script(t, "quiet.sh", "while read line; do [ \"$line\" = last ] && echo alive; done\n"))
		c := s.dial("/")
		trickle(span, tickEvery, func() { send(t, c, websocket.TextMessage, "tick") })
		send(t, c, websocket.TextMessage, "last")
		expectText(t, c, "alive")
	})
	t.Run("outbound", func(t *testing.T) {
		t.Parallel()
		// Each line the test writes to the FIFO the child sends out; it
		// reads no message until the trickle is over.
		fifo := filepath.Join(t.TempDir(), "ticks")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		s := startServer(t, idle, script(t, "ticks.sh",
			"while read line; do echo \"$line\"; done <'"+fifo+"'\necho done\nexec cat\n"))
		// Read and written, so the open neither waits for the child nor
		// gives it an end of file before the test closes it.
		ticks, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer ticks.Close()
		c := s.dial("/")
		trickle(span, tickEvery, func() {
			if _, err := ticks.WriteString("tick\n"); err != nil {
				t.Fatal(err)
			}
			expectText(t, c, "tick")
		})
		ticks.Close()
		expectText(t, c, "done")
		echoOnce(t, c, "still open")
	})
}

// trickle calls tick every interval until span has passed since it began.
func trickle(span, interval time.Duration, tick func()) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for began := time.Now(); time.Since(began) < span; {
		<-ticker.C
		tick()
	}
}

// --maxsessionms closes a busy session too, with 1000 "session time
// limit", and not before its time: the session, measured by the client
// from before it dialled, lasted at least the limit.
func TestMaxSessionClosesABusySession(t *testing.T) {
	const limit = 700 * time.Millisecond
	s := startServer(t, "--maxsessionms=700", "cat")
	before := time.Now()
	c := s.dial("/")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c.WriteMessage(websocket.TextMessage, []byte("busy")) == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}()
	code, reason := closeAfterEchoes(t, c)
	lasted := time.Since(before)
	c.Close()
	<-done
	if code != websocket.CloseNormalClosure || reason != "session time limit" {
		t.Fatalf("closed with %d %q, want 1000 \"session time limit\"", code, reason)
	}
	if lasted < limit {
		t.Errorf("closed after %v, before the %v limit", lasted, limit)
	}
	s.waitNoChildren(readTimeout)
	if len(s.awaitLines("closing: session time limit", 1)) == 0 {
		t.Errorf("no log line for the limit:\n%s", s.out)
	}
}

// closeAfterEchoes reads echoes until the close frame and returns it.
func closeAfterEchoes(t *testing.T, c *websocket.Conn) (int, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		_, _, err := c.ReadMessage()
		var closeErr *websocket.CloseError
		if errors.As(err, &closeErr) {
			return closeErr.Code, closeErr.Text
		}
		if err != nil {
			t.Fatalf("want a close frame, got error %v", err)
		}
	}
}
