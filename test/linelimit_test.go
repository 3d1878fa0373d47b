//go:build !windows

package test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// defaultMaxLineSize is --maxlinesize when the command line names none.
const defaultMaxLineSize = 1 << 20

// lineScript writes "before", a line of n bytes of 'a' ended by end, and
// "after", then does what then says.
func lineScript(t *testing.T, n int, end, then string) string {
	return script(t, "line.sh", fmt.Sprintf("echo before\nhead -c %d /dev/zero | tr '\\0' a\nprintf '%s'\necho after\n%s\n",
		n, end, then))
}

// expectRefused reads the close frame that must come next, with no
// message before it, and checks its code and reason.
func expectRefused(t *testing.T, c *websocket.Conn, code int, reason string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(readTimeout))
	_, data, err := c.ReadMessage()
	var closeErr *websocket.CloseError
	switch {
	case err == nil:
		t.Fatalf("got a message of %d bytes, want the close frame %d %q", len(data), code, reason)
	case !errors.As(err, &closeErr):
		t.Fatalf("want the close frame %d %q, got %v", code, reason, err)
	case closeErr.Code != code || closeErr.Text != reason:
		t.Fatalf("closed with %d %q, want %d %q", closeErr.Code, closeErr.Text, code, reason)
	}
}

// A line one byte over the limit is not sent, not even in part: the
// client gets 1009, the log says which limit and how to raise it, and the
// process, which would sleep on, is stopped.
func TestLineOverMaxLineSizeCloses1009(t *testing.T) {
	s := startServer(t, lineScript(t, defaultMaxLineSize+1, `\n`, "exec sleep 30"))
	c := s.dial("/")
	expectText(t, c, "before")
	expectRefused(t, c, websocket.CloseMessageTooBig, "line too long")
	want := "a stdout line is longer than --maxlinesize=1048576 bytes (raise --maxlinesize to allow it)"
	if len(s.awaitLines(want, 1)) == 0 {
		t.Fatalf("the log does not say %q:\n%s", want, s.out)
	}
	s.waitNoChildren(readTimeout)
}

// A line of exactly the limit, its line end not counted, arrives whole.
func TestLineAtMaxLineSizeArrivesWhole(t *testing.T) {
	for name, end := range map[string]string{"LF": `\n`, "CRLF": `\r\n`} {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, lineScript(t, defaultMaxLineSize, end, "exit 0"))
			c := s.dial("/")
			expectText(t, c, "before")
			if _, line := receive(t, c); len(line) != defaultMaxLineSize || strings.Trim(line, "a") != "" {
				t.Fatalf("got a message of %d bytes, want %d bytes of 'a'", len(line), defaultMaxLineSize)
			}
			expectText(t, c, "after")
			if code, _ := expectClose(t, c); code != websocket.CloseNormalClosure {
				t.Fatalf("closed with %d, want 1000", code)
			}
		})
	}
}

// --maxlinesize is the flag's to choose.
func TestMaxLineSizeFlag(t *testing.T) {
	s := startServer(t, "--maxlinesize=1000", lineScript(t, 1001, `\n`, "exec sleep 30"))
	c := s.dial("/")
	expectText(t, c, "before")
	expectRefused(t, c, websocket.CloseMessageTooBig, "line too long")
	s.waitNoChildren(readTimeout)

	s = startServer(t, "--maxlinesize=1000", lineScript(t, 1000, `\n`, "exit 0"))
	c = s.dial("/")
	expectText(t, c, "before")
	if _, line := receive(t, c); len(line) != 1000 {
		t.Fatalf("got a message of %d bytes, want 1000", len(line))
	}
}

// With --framed, a header announcing one byte over the limit closes with
// 1009 at once: the server does not wait for a payload it will not send.
func TestFramedMessageOverMaxLineSizeCloses1009(t *testing.T) {
	child := script(t, "big.sh", `printf '\000\020\000\001'; exec sleep 30`+"\n")
	s := startServer(t, "--framed", child)
	c := s.dial("/")
	expectRefused(t, c, websocket.CloseMessageTooBig, "message too big")
	want := "a framed message of 1048577 bytes is longer than --maxlinesize=1048576 bytes"
	if len(s.awaitLines(want, 1)) == 0 {
		t.Fatalf("the log does not say %q:\n%s", want, s.out)
	}
	s.waitNoChildren(readTimeout)
}

func TestFramedMessageAtMaxLineSizeArrivesWhole(t *testing.T) {
	child := script(t, "big.sh", `printf '\000\020\000\000'; head -c 1048576 /dev/zero`+"\n")
	s := startServer(t, "--framed", child)
	c := s.dial("/")
	kind, message := receive(t, c)
	if kind != websocket.BinaryMessage || message != string(make([]byte, defaultMaxLineSize)) {
		t.Fatalf("got a message of type %d and %d bytes, want 1 MiB of zeros", kind, len(message))
	}
	if code, _ := expectClose(t, c); code != websocket.CloseNormalClosure {
		t.Fatalf("closed with %d, want 1000", code)
	}
}

// In a room, a line over the limit ends the room: every client gets what
// came before it, then 1009; the process is stopped.
func TestRoomLineOverMaxLineSizeClosesEveryClient(t *testing.T) {
	program := script(t, "room.sh", "read go\n"+
		fmt.Sprintf("echo before\nhead -c %d /dev/zero | tr '\\0' a\necho\necho after\nexec sleep 30\n", defaultMaxLineSize+1))
	s := startServer(t, "--room", program)
	clients := []*websocket.Conn{s.dial("/"), s.dial("/")}
	send(t, clients[0], websocket.TextMessage, "go")
	for _, c := range clients {
		expectText(t, c, "before")
		expectRefused(t, c, websocket.CloseMessageTooBig, "line too long")
	}
	if len(s.awaitLines("longer than --maxlinesize=1048576", 1)) == 0 {
		t.Fatalf("the log does not name the limit:\n%s", s.out)
	}
	s.waitNoChildren(readTimeout)
}

// Lines that come in the same read as a line over the limit, before it,
// still reach the room's clients: the room gathers lines read together,
// and hands over what it gathered when the output fails.
func TestRoomLinesReadWithALineOverTheLimitArrive(t *testing.T) {
	program := script(t, "room.sh", "read go\n"+
		`printf 'before\nand before\n0123456789ABC\n'`+"\nexec sleep 30\n")
	s := startServer(t, "--room", "--maxlinesize=10", program)
	clients := []*websocket.Conn{s.dial("/"), s.dial("/")}
	send(t, clients[0], websocket.TextMessage, "go")
	for _, c := range clients {
		expectText(t, c, "before")
		expectText(t, c, "and before")
		expectRefused(t, c, websocket.CloseMessageTooBig, "line too long")
	}
	s.waitNoChildren(readTimeout)
}

// A stderr line over the limit is logged in pieces of the limit: nothing
// is lost, and the session goes on.
func TestStderrLineOverMaxLineSizeIsLoggedInPieces(t *testing.T) {
	s := startServer(t, "--maxlinesize=1000",
		script(t, "err.sh", "head -c 2500 /dev/zero | tr '\\0' '#' >&2\necho >&2\necho done\n"))
	c := s.dial("/")
	expectText(t, c, "done")
	expectClose(t, c)
	pieces := s.awaitLines("###", 3)
	var sizes []int
	for _, line := range pieces {
		sizes = append(sizes, bytes.Count([]byte(line), []byte("#")))
	}
	if fmt.Sprint(sizes) != "[1000 1000 500]" {
		t.Fatalf("stderr logged in pieces of %v bytes, want [1000 1000 500]:\n%s", sizes, s.out)
	}
}
