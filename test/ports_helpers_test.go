//go:build !windows

package test

import (
	"net"
	"strings"
	"testing"
	"time"
)

// freePort returns a loopback TCP port that was free a moment ago. Another
// program may take it before ours binds it, so callers retry on collision
// with startOnFreePort.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// portTries bounds the retries when a picked port was taken meanwhile.
const portTries = 5

// startOnFreePort calls start with fresh ports until it reports that the
// port was free (start returns false only on a collision).
func startOnFreePort(t testing.TB, start func(port int) bool) {
	t.Helper()
	for range portTries {
		if start(freePort(t)) {
			return
		}
	}
	t.Fatalf("no free port after %d tries", portTries)
}

// servingOrExit waits for the serving line like waitServing, but reports an
// exit caused by a port in use instead of failing, so the caller can retry.
func (s *server) servingOrExit() (addr string, collided bool) {
	s.t.Helper()
	deadline := time.After(startTimeout)
	for {
		// Asked for before the output is read: a line written in between
		// would otherwise notify nobody, and the wait last until the deadline.
		changed := s.out.changed()
		if m := servingLine.FindStringSubmatch(s.out.String()); m != nil {
			return m[2], false
		}
		select {
		case <-changed:
		case <-s.done:
			if strings.Contains(s.out.String(), "address already in use") {
				return "", true
			}
			s.t.Fatalf("websocketd exited before serving: %v\n%s", s.cmd.ProcessState, s.out)
		case <-deadline:
			s.t.Fatalf("websocketd did not report serving within %v:\n%s", startTimeout, s.out)
		}
	}
}
