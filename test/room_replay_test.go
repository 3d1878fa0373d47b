//go:build !windows

package test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// --roomreplay: a client joining a room gets its last N messages, then the
// live ones, with no gap and no duplicate, also while the room is busy.

// numberedLines prints 1 to argv[1] and waits for a line on stdin (a
// room client's message); then it prints the next numbers without pause.
const numberedLines = `import sys
pause, i = int(sys.argv[1]), 0
while True:
    i += 1
    sys.stdout.write("%d\n" % i)
    if i == pause:
        sys.stdout.flush()
        sys.stdin.readline()
    elif i > pause or i % 10 == 0:
        sys.stdout.flush()
`

// replayLines is how many lines a room keeps in these tests, and
// replayPause where the room's process waits.
const replayLines, replayPause = 100, 300

// expectNumbers reads count messages that must be want, want+1...
func expectNumbers(c *websocket.Conn, want, count int) error {
	for range count {
		c.SetReadDeadline(time.Now().Add(readTimeout))
		_, data, err := c.ReadMessage()
		if err != nil {
			return fmt.Errorf("read after %d: %w", want-1, err)
		}
		if got, _ := strconv.Atoi(string(data)); got != want {
			return fmt.Errorf("got %q after %d: a gap or a duplicate", data, want-1)
		}
		want++
	}
	return nil
}

// firstNumber reads a message that must be a number.
func firstNumber(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	_, text := receive(t, c)
	n, err := strconv.Atoi(text)
	if err != nil {
		t.Fatalf("got %q, want a number", text)
	}
	return n
}

// joinWhilePaused has first read everything up to the pause, then a
// joiner gets exactly the last replayLines before it; then first lets the
// process go on.
func joinWhilePaused(t *testing.T, first *websocket.Conn, dialJoiner func() *websocket.Conn) *websocket.Conn {
	t.Helper()
	if err := expectNumbers(first, 1, replayPause); err != nil {
		t.Fatalf("first client: %v", err)
	}
	joiner := dialJoiner()
	if err := expectNumbers(joiner, replayPause-replayLines+1, replayLines); err != nil {
		t.Fatalf("joiner while paused: %v", err)
	}
	if err := first.WriteMessage(websocket.TextMessage, []byte("go")); err != nil {
		t.Fatal(err)
	}
	first.Close() // the others set the pace
	return joiner
}

// joinWhileBusy reads reader's live lines on its own while another client
// joins; the newcomer's lines must follow each other without a gap too.
func joinWhileBusy(t *testing.T, reader *websocket.Conn, dialJoiner func() *websocket.Conn) {
	t.Helper()
	readerDone := make(chan error, 1)
	go func() { readerDone <- expectNumbers(reader, replayPause+1, 20000) }()
	joiner := dialJoiner()
	defer joiner.Close()
	from := firstNumber(t, joiner)
	if err := expectNumbers(joiner, from+1, 5000); err != nil {
		t.Fatalf("joiner while busy (from %d): %v", from, err)
	}
	if err := <-readerDone; err != nil {
		t.Fatalf("client reading throughout: %v", err)
	}
}

func TestRoomReplayGivesJoinersTheLastNThenLive(t *testing.T) {
	s := startServer(t, "--room", "--roomreplay="+strconv.Itoa(replayLines),
		pythonScript(t, "numbers.py", numberedLines), strconv.Itoa(replayPause))
	dial := func() *websocket.Conn { return s.dial("/numbers") }
	joiner := joinWhilePaused(t, dial(), dial)
	defer joiner.Close()
	joinWhileBusy(t, joiner, dial)
}
