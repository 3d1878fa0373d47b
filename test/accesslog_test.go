//go:build !windows

package test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// The access log says what happened to each request, over raw TCP where a
// client can send what no library would.
func TestAccessLogSaysWhatHappened(t *testing.T) {
	s := startServer(t, "cat")

	// An upgrade request with a body: the server drops the connection
	// without answering, and the log must not claim a 101.
	conn, err := net.DialTimeout("tcp", s.addr, readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(readTimeout))
	io.WriteString(conn, s.rawUpgrade("/dropped", "Content-Length: 5\r\n")+"hello")
	if answer, err := io.ReadAll(conn); err != nil || len(answer) != 0 {
		t.Fatalf("an upgrade with a body got %q (%v), want the connection closed without an answer", answer, err)
	}
	dropped := "url:'http://" + s.addr + "/dropped'"
	if lines := s.awaitLines("| GET dropped without a response", 1); len(lines) != 1 || !strings.Contains(lines[0], dropped) {
		t.Errorf("no access line saying the upgrade was dropped:\n%s", s.out)
	}
	for _, line := range s.out.lines(dropped) {
		// The status, not a duration such as 1.101ms.
		if strings.Contains(line, "| GET 101") || strings.Contains(line, "status:'101'") {
			t.Errorf("a dropped upgrade logged as answered: %s", line)
		}
	}

	// A completed upgrade still logs its 101.
	s.dial("/answered")
	if lines := s.awaitLines("| GET 101 Switching Protocols", 1); len(lines) != 1 || !strings.Contains(lines[0], "/answered'") {
		t.Errorf("no 101 access line for a completed upgrade:\n%s", s.out)
	}

	// An absolute-form target names its host once.
	target := "http://localhost:" + strings.Split(s.addr, ":")[1] + "/abs?q=1"
	s.rawRequest("GET " + target + " HTTP/1.1\r\nHost: ignored.example\r\n\r\n")
	if len(s.awaitLines("url:'"+target+"'", 1)) == 0 {
		t.Errorf("no access line with url %q:\n%s", target, s.out)
	}
}
