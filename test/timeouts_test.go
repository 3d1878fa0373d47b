package test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A session with no message either way is closed with 1000 "idle
// timeout" and its process stopped, although pings and pongs kept going
// all the while: they are not activity.
func TestIdleTimeoutClosesDespitePings(t *testing.T) {
	s := startServer(t, "--idlems=300", "--pingms=50", "cat")
	if out := pythonClient(t, s.url("/")); out != "CLOSE 1000 idle timeout" {
		t.Fatalf("python client saw %q, want the idle close", out)
	}
	if pings := s.out.lines("closing: idle timeout"); len(pings) != 1 {
		t.Errorf("want one idle close in the log:\n%s", s.out)
	}
	s.waitNoChildren(readTimeout)
}

// Messages trickling in, or out, faster than the idle limit keep the
// session open for several limits' worth of time. Nothing is timed: the
// session must simply still answer at the end.
func TestIdleTimeoutNotEarlyUnderTrickle(t *testing.T) {
	const every, ticks = 40 * time.Millisecond, 75 // 3 s: nearly four limits of 800 ms
	t.Run("inbound", func(t *testing.T) {
		s := startServer(t, "--idlems=800",
			script(t, "quiet.sh", "while read line; do [ \"$line\" = last ] && echo alive; done\n"))
		c := s.dial("/")
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for range ticks {
			<-ticker.C
			send(t, c, websocket.TextMessage, "tick")
		}
		send(t, c, websocket.TextMessage, "last")
		expectText(t, c, "alive")
	})
	t.Run("outbound", func(t *testing.T) {
		s := startServer(t, "--idlems=800", script(t, "ticks.sh",
			"i=0\nwhile [ $i -lt 75 ]; do echo tick; sleep 0.04; i=$((i+1)); done\necho done\nexec cat\n"))
		c := s.dial("/")
		for range ticks {
			expectText(t, c, "tick")
		}
		expectText(t, c, "done")
		echoOnce(t, c, "still open")
	})
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
	if !strings.Contains(s.out.String(), "closing: session time limit") {
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
