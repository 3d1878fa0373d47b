//go:build !windows

package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// --framed: every message crosses the pipes as a 4-byte header (top bit:
// text) and its payload, so boundaries and types come back as sent.

// typedMessage is a message and its type, as a client sends or gets it.
type typedMessage struct {
	messageType int
	data        []byte
}

func (m typedMessage) String() string {
	kind := "binary"
	if m.messageType == websocket.TextMessage {
		kind = "text"
	}
	return kind + " " + truncate(m.data)
}

// framedShapes are the messages every framed echo must return exactly:
// every byte value, empty ones of both types, text with every UTF-8
// sequence length, and text and binary interleaved.
func framedShapes() []typedMessage {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	bin := func(b []byte) typedMessage { return typedMessage{websocket.BinaryMessage, b} }
	txt := func(s string) typedMessage { return typedMessage{websocket.TextMessage, []byte(s)} }
	return []typedMessage{
		bin(every), txt(""), bin(nil), txt("a\nline\r\nbreak\x00nul"),
		txt("é€𝄞"), bin([]byte("\n")), txt("after binary"), bin(bytes.Repeat(every, 300)),
		txt(strings.Repeat("long text ", 10000)), bin(nil), txt(""),
	}
}

// echoTyped sends each message and checks that the same comes back.
func echoTyped(t *testing.T, conn *websocket.Conn, messages []typedMessage) {
	t.Helper()
	for i, m := range messages {
		if err := conn.WriteMessage(m.messageType, m.data); err != nil {
			t.Fatalf("message %d: writing: %v", i, err)
		}
		expectTyped(t, conn, m)
	}
}

func expectTyped(t *testing.T, conn *websocket.Conn, want typedMessage) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	messageType, data, err := conn.ReadMessage()
	got := typedMessage{messageType, data}
	if err != nil || messageType != want.messageType || !bytes.Equal(data, want.data) {
		t.Fatalf("got %v (%v), want %v", got, err, want)
	}
}

func TestFramedEchoThroughCat(t *testing.T) {
	s := startServer(t, "--framed", "--maxframesize=0", "cat")
	conn := s.dial("/")
	echoTyped(t, conn, framedShapes())
	// Sent back to back, they still come back one by one, in order.
	for _, m := range framedShapes() {
		if err := conn.WriteMessage(m.messageType, m.data); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range framedShapes() {
		expectTyped(t, conn, m)
	}
}

// A binary message far over one pipe read stays one message.
func TestFramedSixteenMiBBinary(t *testing.T) {
	s := startServer(t, "--framed", "--maxframesize=0", "--maxlinesize=16777216", "cat")
	conn := s.dial("/")
	big := make([]byte, 16<<20)
	for i := range big {
		big[i] = byte(i * 7 / 5)
	}
	echoTyped(t, conn, []typedMessage{{websocket.BinaryMessage, big}})
}

// swapTypes is a Python child that reads framed messages and writes each
// back with the other type: the type really is the child's to choose.
const swapTypes = `import sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    head = inp.read(4)
    if len(head) < 4:
        break
    word = int.from_bytes(head, "big")
    payload = inp.read(word & 0x7fffffff)
    out.write((word ^ 0x80000000).to_bytes(4, "big") + payload)
    out.flush()
`

func TestFramedChildChoosesTheType(t *testing.T) {
	child := script(t, "swap.py", "exec python3 -c '"+swapTypes+"'\n")
	s := startServer(t, "--framed", "--maxframesize=0", "--maxlinesize=4194304", child)
	conn := s.dial("/")
	// Every shape that is still valid as text once its type is swapped,
	// and one that spans many pipe reads.
	shapes := []typedMessage{{websocket.BinaryMessage, bytes.Repeat([]byte("4 MiB "), 4<<20/6)}}
	for _, m := range framedShapes() {
		if utf8.Valid(m.data) {
			shapes = append(shapes, m)
		}
	}
	for _, m := range shapes {
		if err := conn.WriteMessage(m.messageType, m.data); err != nil {
			t.Fatal(err)
		}
		swapped := websocket.BinaryMessage + websocket.TextMessage - m.messageType
		expectTyped(t, conn, typedMessage{swapped, m.data})
	}
	// Every byte value is fine as binary, but the child calls it text.
	if err := conn.WriteMessage(websocket.BinaryMessage, framedShapes()[0].data); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	if _, data, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseInternalServerErr) {
		t.Fatalf("want close 1011 for text that is not UTF-8, got %q, %v", truncate(data), err)
	}
}

// A child that breaks the format gets its session closed with 1011 and a
// log line that names the problem; its process is stopped.
func TestFramedChildWritingGarbage(t *testing.T) {
	for _, tc := range []struct {
		name, output, logged string
		flags                []string
	}{
		{name: "truncated payload", output: `printf "\000\000\000\020abc"`,
			logged: "stdout ended inside a message (4 of 4 header bytes, 3 of 16 payload bytes)",
			flags:  []string{"--maxframesize=0"}},
		{name: "truncated header", output: `printf "\200\000"`,
			logged: "stdout ended inside a message (2 of 4 header bytes"},
		{name: "text not UTF-8", output: `printf "\200\000\000\002\377\376"; sleep 30`,
			logged: "a text message of 2 bytes is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			child := script(t, "garbage.sh", tc.output+"\n")
			s := startServer(t, append(append([]string{"--framed"}, tc.flags...), child)...)
			conn := s.dial("/")
			conn.SetReadDeadline(time.Now().Add(readTimeout))
			_, data, err := conn.ReadMessage()
			if !websocket.IsCloseError(err, websocket.CloseInternalServerErr) {
				t.Fatalf("want close 1011, got %q, %v", data, err)
			}
			waitFor(t, readTimeout, "the log line", func() bool {
				return len(s.out.lines(tc.logged)) > 0
			})
			s.waitNoChildren(readTimeout)
		})
	}
}

// The framed readers and writers of docs/framing.md work as printed: each
// echoes every message shape through websocketd --framed.
func TestFramedDocsExamples(t *testing.T) {
	t.Run("python", func(t *testing.T) {
		python := filepath.Join(t.TempDir(), "echo.py")
		writeSource(t, python, docBlockTested(t, "../docs/framing.md", "TestFramedDocsExamples", "framed-python"))
		s := startServer(t, "--framed", "python3", python)
		echoTyped(t, s.dial("/"), framedShapes())
	})
	t.Run("c", func(t *testing.T) {
		cc := requireTool(t, "cc")
		dir := t.TempDir()
		source, program := filepath.Join(dir, "echo.c"), filepath.Join(dir, "echo")
		writeSource(t, source, docBlockTested(t, "../docs/framing.md", "TestFramedDocsExamples", "framed-c"))
		if out, err := exec.Command(cc, "-Wall", "-Werror", "-O2", "-o", program, source).CombinedOutput(); err != nil {
			t.Fatalf("compiling the C of docs/framing.md: %v\n%s", err, out)
		}
		s := startServer(t, "--framed", program)
		echoTyped(t, s.dial("/"), framedShapes())
	})
}

func writeSource(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
