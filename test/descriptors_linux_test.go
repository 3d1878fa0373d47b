package test

import (
	"fmt"
	"testing"

	"github.com/gorilla/websocket"
)

// sessionDescriptors is what an open session costs the server in
// descriptors: the client's socket and our ends of the child's stdin,
// stdout and stderr pipes; no handle on the child (Go's pidfd) is kept.
const sessionDescriptors = 4

// Each open session holds four of the server's descriptors, so that a
// descriptor limit holds as many sessions as it can; stderr still reaches
// the log, and each child is reaped once its session ends.
func TestOpenSessionHoldsFourDescriptors(t *testing.T) {
	const sessions = 20
	s := startServer(t, script(t, "echo.sh", "echo stderr-of-the-session >&2\nexec cat\n"))
	warm := s.dial("/")
	send(t, warm, websocket.TextMessage, "warm")
	expectText(t, warm, "warm")
	warm.Close()
	s.waitNoChildren(readTimeout)
	before := s.figures()
	for i := range sessions {
		c := s.dial("/")
		message := fmt.Sprint("session ", i)
		send(t, c, websocket.TextMessage, message)
		expectText(t, c, message)
	}
	if lines := s.awaitLines("stderr-of-the-session", sessions+1); len(lines) < sessions+1 {
		t.Fatalf("%d stderr lines logged for %d sessions:\n%s", len(lines), sessions+1, s.out)
	}
	open := s.figures()
	perSession := float64(open.fds-before.fds) / sessions
	t.Logf("closing figure: %d open sessions hold %d descriptors, %.2f each", sessions, open.fds-before.fds, perSession)
	if open.fds-before.fds > sessions*sessionDescriptors {
		t.Fatalf("%d open sessions hold %d descriptors, %.2f each; want at most %d each",
			sessions, open.fds-before.fds, perSession, sessionDescriptors)
	}
}
