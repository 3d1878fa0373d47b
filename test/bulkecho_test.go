//go:build !windows

package test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Bulk through the pipes: megabytes of random bytes, in messages of random
// sizes sent back to back, come back byte for byte; with --framed, message
// for message. These are what a faster path (a bigger read buffer, frames
// built past gorilla, one write for a burst) must not break.

// randomMessages are count messages of random bytes and sizes up to max,
// some empty, some text (with --framed the child keeps the type).
func randomMessages(seed uint64, count, max int, withText bool) []typedMessage {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	messages := make([]typedMessage, count)
	for i := range messages {
		size := rng.IntN(max + 1)
		if i%7 == 0 {
			size = 0
		}
		m := typedMessage{messageType: websocket.BinaryMessage, data: make([]byte, size)}
		if withText && i%3 == 0 {
			m.messageType = websocket.TextMessage
			for j := range m.data {
				m.data[j] = byte('a' + rng.IntN(26))
			}
		} else {
			for j := range m.data {
				m.data[j] = byte(rng.Uint32())
			}
		}
		messages[i] = m
	}
	return messages
}

// sendAll writes the messages from a goroutine of its own (the echo comes
// back while it writes) and reports the first error.
func sendAll(conn *websocket.Conn, messages []typedMessage) <-chan error {
	wrote := make(chan error, 1)
	go func() {
		for i, m := range messages {
			if err := conn.WriteMessage(m.messageType, m.data); err != nil {
				wrote <- fmt.Errorf("message %d: %w", i, err)
				return
			}
		}
		wrote <- nil
	}()
	return wrote
}

// readBinaryStream reads binary messages until want's length has come,
// and checks the bytes and that no message is over a pipe read (64 KiB).
func readBinaryStream(t *testing.T, conn *websocket.Conn, want []byte) {
	t.Helper()
	var got []byte
	for len(got) < len(want) {
		conn.SetReadDeadline(time.Now().Add(readTimeout))
		kind, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("after %d of %d bytes: %v", len(got), len(want), err)
		}
		if kind != websocket.BinaryMessage || len(data) == 0 || len(data) > 64<<10 {
			t.Fatalf("after %d bytes: a message of type %d and %d bytes", len(got), kind, len(data))
		}
		got = append(got, data...)
	}
	if !bytes.Equal(got, want) {
		at := 0
		for at < len(want) && got[at] == want[at] {
			at++
		}
		t.Fatalf("%d bytes came back, the first wrong one at offset %d", len(got), at)
	}
}

func TestBinaryRandomMegabytesThroughCat(t *testing.T) {
	s := startServer(t, "--binary", "--maxframesize=0", "cat")
	conn := s.dial("/")
	messages := randomMessages(23, 60, 200<<10, false)
	var all []byte
	for _, m := range messages {
		all = append(all, m.data...)
	}
	wrote := sendAll(conn, messages)
	readBinaryStream(t, conn, all)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
}

func TestFramedRandomMegabytesThroughCat(t *testing.T) {
	s := startServer(t, "--framed", "--maxframesize=0", "--maxlinesize=1048576", "cat")
	conn := s.dial("/")
	messages := randomMessages(24, 60, 200<<10, true)
	wrote := sendAll(conn, messages)
	for _, m := range messages {
		expectTyped(t, conn, m)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
}

// writeAtOnce is a child that writes, in one write, far more than a pipe
// holds: 3 MB of a pattern with --binary, or with --framed 300 messages
// of 3000 bytes and one of 200,000 (so a pipe read is never a message).
const writeAtOnce = `import sys
out = sys.stdout.buffer
pattern = bytes((i * 7 + (i >> 8)) & 0xff for i in range(3000000))
if sys.argv[1] == "framed":
    data = b"".join(len(p).to_bytes(4, "big") + p for p in [pattern[i*3000:(i+1)*3000] for i in range(300)] + [pattern[:200000]])
else:
    data = pattern
out.write(data)
out.flush()
sys.stdin.read()
`

func patternBytes(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i>>8)
	}
	return p
}

func TestBinaryOutputFarOverAPipe(t *testing.T) {
	child := script(t, "bulk.py", "exec python3 -c '"+writeAtOnce+"' binary\n")
	s := startServer(t, "--binary", child)
	readBinaryStream(t, s.dial("/"), patternBytes(3000000))
}

func TestFramedOutputFarOverAPipe(t *testing.T) {
	child := script(t, "bulk.py", "exec python3 -c '"+writeAtOnce+"' framed\n")
	s := startServer(t, "--framed", "--maxlinesize=1048576", child)
	conn := s.dial("/")
	pattern := patternBytes(3000000)
	for i := range 300 {
		expectTyped(t, conn, typedMessage{websocket.BinaryMessage, pattern[i*3000 : (i+1)*3000]})
	}
	expectTyped(t, conn, typedMessage{websocket.BinaryMessage, pattern[:200000]})
}
