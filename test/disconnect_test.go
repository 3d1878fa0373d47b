//go:build !windows

package test

import (
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// disconnectLine matches the DISCONNECT line of the default log level and
// captures how the process ended and how long the session lasted.
var disconnectLine = regexp.MustCompile(`\| ACCESS \| session \| .* process:'([^']*)' duration:'([^']*)' \| DISCONNECT$`)

// waitDisconnect waits for the DISCONNECT line of the session with the
// given URL path and returns what it says of the process and the duration.
func (s *server) waitDisconnect(path string) (fate string, lasted time.Duration) {
	s.t.Helper()
	waitFor(s.t, readTimeout, "the DISCONNECT line of "+path, func() bool {
		for _, line := range s.out.lines("url:'http://" + s.addr + path + "'") {
			if m := disconnectLine.FindStringSubmatch(line); m != nil {
				d, err := time.ParseDuration(m[2])
				if err != nil {
					s.t.Fatalf("duration %q in %s: %v", m[2], line, err)
				}
				fate, lasted = m[1], d
				return true
			}
		}
		return false
	})
	return fate, lasted
}

// The DISCONNECT line at the default level says how the child ended and
// how long the session lasted.
func TestDisconnectLineSaysHowTheProcessEnded(t *testing.T) {
	s := startServer(t, "--dir="+writeScripts(t, map[string]string{
		"fail.sh": "#!/bin/sh\necho bye\nexit 3\n",
		"die.sh":  "#!/bin/sh\necho bye\nkill -KILL $$\n",
		"cat.sh":  "#!/bin/sh\necho ready\nexec cat\n",
	}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's output:\n%s", s.out)
		}
	})
	for _, tc := range []struct{ path, fate string }{
		{"/fail.sh", "exit status 3"},
		{"/die.sh", "signal: killed"},
	} {
		c := s.dial(tc.path)
		expectText(t, c, "bye")
		expectClose(t, c)
		if fate, lasted := s.waitDisconnect(tc.path); fate != tc.fate || lasted < 0 {
			t.Errorf("%s: DISCONNECT says process %q after %v, want %q", tc.path, fate, lasted, tc.fate)
		}
	}

	c := s.dial("/cat.sh")
	expectText(t, c, "ready")
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(readTimeout))
	// cat exits by itself when its stdin closes.
	if fate, _ := s.waitDisconnect("/cat.sh"); fate != "still running when the client left, then exit status 0" {
		t.Errorf("client left first: DISCONNECT says process %q", fate)
	}

	// At shutdown the server closes the session, not the client.
	c = s.dial("/cat.sh?again")
	expectText(t, c, "ready")
	s.cmd.Process.Signal(syscall.SIGTERM)
	expectClose(t, c)
	if fate, _ := s.waitDisconnect("/cat.sh?again"); fate != "still running at server shutdown, then exit status 0" {
		t.Errorf("server shutdown: DISCONNECT says process %q", fate)
	}
}

// writeScripts writes executable scripts into a fresh directory.
func writeScripts(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := tempBase(t)
	writeFiles(t, dir, scripts)
	return dir
}

// A session the server closes for --idlems says so.
func TestDisconnectLineSaysIdleTimeout(t *testing.T) {
	s := startServer(t, "--idlems=200", script(t, "cat.sh", "echo ready\nexec cat\n"))
	c := s.dial("/quiet")
	expectText(t, c, "ready")
	if code, reason := expectClose(t, c); code != websocket.CloseNormalClosure || reason != "idle timeout" {
		t.Fatalf("close %d %q, want 1000 idle timeout", code, reason)
	}
	if fate, _ := s.waitDisconnect("/quiet"); fate != "still running at the idle timeout, then exit status 0" {
		t.Errorf("DISCONNECT says process %q\n%s", fate, s.out)
	}
}
