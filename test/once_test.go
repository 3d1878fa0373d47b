//go:build !windows

package test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// --once: plain HTTP requests do not count; the one WebSocket session
// does, and the server then exits with its child's exit status.
func TestOnceExitsWithTheChildStatus(t *testing.T) {
	s := startServer(t, "--once", "--devconsole",
		script(t, "once.sh", "read line\necho \"got $line\"\nexit 7\n"))
	if page := curl(t, "http://"+s.addr+"/"); !strings.Contains(page, "<html") {
		t.Fatalf("console page: %q", page)
	}
	select {
	case <-s.done:
		t.Fatalf("the server exited after a plain HTTP request:\n%s", s.out)
	default:
	}
	out := pythonClient(t, s.url("/"), "hello")
	if !strings.HasPrefix(out, "MESSAGE got hello\nCLOSE 1011") {
		t.Errorf("python client saw %q", out)
	}
	if code := s.wait(readTimeout); code != 7 {
		t.Fatalf("exit status %d, want the child's 7\n%s", code, s.out)
	}
}

// While the one session runs, other upgrades get 503; a clean end of the
// child exits 0.
func TestOnceRefusesASecondSession(t *testing.T) {
	// The child exits 0 however the stop sequence reaches it: at the end
	// of its stdin, or on the SIGINT or SIGTERM that follow when a loaded
	// machine has not let cat run within a step.
	s := startServer(t, "--once", "--closems=400", script(t, "echo.sh", "trap 'exit 0' INT TERM\ncat\n"))
	c := s.dial("/")
	echoOnce(t, c, "first")
	if got := s.dialStatus("/", nil); got != http.StatusServiceUnavailable {
		t.Errorf("second upgrade: status %d, want 503", got)
	}
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(readTimeout))
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit status %d after cat ended cleanly, want 0\n%s", code, s.out)
	}
}
