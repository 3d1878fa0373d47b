//go:build !windows

package test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"
)

// Faults: clients that vanish, children that misbehave, a server whose
// command or directory goes bad. Every test checks that the child is gone,
// the slot is free and the server still serves, and ends with its closing
// figure in its log.

// withPID writes a script that first says its own pid, then runs body.
func withPID(t *testing.T, body string) string {
	return script(t, "child.sh", "echo $$\n"+body+"\n")
}

// dialWhenFree dials until the server accepts: a slot freed by a session
// that ended is released just after its process is reaped.
func dialWhenFree(t *testing.T, s *server) *websocket.Conn {
	t.Helper()
	var conn *websocket.Conn
	waitFor(t, readTimeout, "the server to accept a new connection", func() bool {
		c, resp, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
		if err == nil {
			conn = c
			return true
		}
		if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("dial: %v", err)
		}
		return false
	})
	t.Cleanup(func() { conn.Close() })
	return conn
}

// reset drops a connection with a TCP RST: no close frame, no FIN.
func reset(c *rawConn) {
	c.conn.(*net.TCPConn).SetLinger(0)
	c.conn.Close()
}

func TestDroppedClientFreesItsSlot(t *testing.T) {
	cutFrame := func(c *rawConn) {
		wire := text(strings.Repeat("x", 1000)).encode()
		c.conn.Write(wire[:20]) // the header and a few bytes of payload
	}
	cases := []struct {
		name string
		args []string
		drop func(c *rawConn)
	}{
		{"reset", nil, reset},
		{"reset mid-message", nil, func(c *rawConn) {
			c.send(part(opText, "first of", false), part(opContinuation, "several", false))
			reset(c)
		}},
		{"reset mid-frame", nil, func(c *rawConn) { cutFrame(c); reset(c) }},
		{"FIN mid-frame", nil, func(c *rawConn) { cutFrame(c); c.conn.Close() }},
		// The client stops reading and answering but its TCP end stays up,
		// as when the network between goes silent: only pings notice.
		{"silent peer with --pingms", []string{"--pingms=100"}, func(*rawConn) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--maxforks=1"}, tc.args...)
			s := startServer(t, append(args, withPID(t, "exec cat"))...)
			before := s.figures()
			c := dialRaw(t, s.addr, "/")
			pid := expectPID(t, c)
			tc.drop(c)
			waitFor(t, readTimeout, "the child to be stopped", func() bool { return !alive(pid) })
			next := dialWhenFree(t, s)
			_, said := receive(t, next)
			send(t, next, websocket.TextMessage, "after the drop")
			expectText(t, next, "after the drop")
			next.Close()
			c.conn.Close()
			after := s.settle(before)
			logFigures(t, "dropped client ("+tc.name+"), new child "+said, 1, s, before, after)
		})
	}
}

func TestChildThatNeverReadsWhileClientSends(t *testing.T) {
	s := startServer(t, "--maxforks=1", withPID(t, "exec sleep 300"))
	before := s.figures()
	c := dialRaw(t, s.addr, "/")
	pid := expectPID(t, c)
	var sent atomic.Int64
	go func() {
		chunk := text(strings.Repeat("y", 64<<10)).encode()
		for {
			if _, err := c.conn.Write(chunk); err != nil {
				return
			}
			sent.Add(64 << 10)
		}
	}()
	// Far more than the pipe and the server's buffers hold: the server is
	// now pushing back on the client.
	waitFor(t, readTimeout, "the client to have sent 1 MiB", func() bool { return sent.Load() >= 1<<20 })
	pushing := s.figures()
	reset(c)
	waitFor(t, readTimeout, "the child to be stopped", func() bool { return !alive(pid) })
	next := dialWhenFree(t, s)
	receive(t, next) // the new child's pid: it started
	next.Close()
	after := s.settle(before)
	t.Logf("the client had sent %d KiB; RSS while pushing back %d KiB", sent.Load()>>10, pushing.rssKiB)
	logFigures(t, "child never reads", 1, s, before, after)
}

// floodLines is how many numbered 1,009-byte lines the flooding child
// writes: 48 MiB, far more than the pipe, the server's buffers and both
// TCP buffers on loopback hold together.
const floodLines = 48000

// floodBoundKiB is what the server's RSS may grow by while the flood waits
// for the slow client and then drains: well under the flood's size, so a
// server that buffered the backlog would fail. Measured on two cores:
// +0.9 MiB with the child blocked and +2 MiB at the peak; under the race
// detector, whose shadow memory grows with every heap page touched, +5 MiB
// and +15.5 MiB.
func floodBoundKiB() int {
	if raceEnabled {
		return 24 << 10
	}
	return 8 << 10
}

func TestFloodToSlowReaderArrivesWholeInBoundedMemory(t *testing.T) {
	flood := fmt.Sprintf(`exec awk 'BEGIN { pad = sprintf("%%1000s", ""); for (i = 0; i < %d; i++) printf "%%08d%%s\n", i, pad }'`, floodLines)
	s := startServer(t, withPID(t, flood))
	before := s.figures()
	c := s.dial("/")
	_, said := receive(t, c)
	pid, _ := strconv.Atoi(said)
	// Read nothing until the child is stuck on a full pipe: the server
	// holds all it will ever hold for this client.
	waitFor(t, readTimeout, "the flooding child to block on its full pipe", func() bool {
		return blockedWriting(pid)
	})
	stalled := s.figures()
	peak := stalled.rssKiB
	for i := range floodLines {
		if i%4000 == 0 {
			peak = max(peak, s.figures().rssKiB)
		}
		_, line := receive(t, c)
		if len(line) != 1008 || line[:8] != fmt.Sprintf("%08d", i) {
			t.Fatalf("line %d arrived as %q", i, truncate([]byte(line)))
		}
	}
	if code, _ := expectClose(t, c); code != websocket.CloseNormalClosure {
		t.Fatalf("close code %d, want 1000", code)
	}
	after := s.settle(before)
	t.Logf("flood of %d lines (%d KiB): RSS %d KiB at the start, %d KiB with the child blocked, peak %d KiB while draining; bound %d KiB of growth",
		floodLines, floodLines*1009>>10, before.rssKiB, stalled.rssKiB, peak, floodBoundKiB())
	logFigures(t, "flood to a slow reader", floodLines, s, before, after)
	if peak-before.rssKiB > floodBoundKiB() {
		t.Fatalf("RSS grew by %d KiB while the client read slowly, bound %d KiB", peak-before.rssKiB, floodBoundKiB())
	}
}

// blockedWriting reports whether pid sleeps in a write to a full pipe
// (the kernel function is pipe_write, or anon_pipe_write since 6.15).
func blockedWriting(pid int) bool {
	wchan, err := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", pid))
	return err == nil && strings.HasSuffix(string(wchan), "pipe_write")
}

func TestChildThatClosesStdoutButRuns(t *testing.T) {
	s := startServer(t, withPID(t, "exec >&-\nexec sleep 300"))
	before := s.figures()
	c := dialRaw(t, s.addr, "/")
	pid := expectPID(t, c)
	// The session goes on without the child's output.
	c.send(control(opPing, []byte("still here")))
	expectEvents(t, c, pong("still here"))
	if !alive(pid) {
		t.Fatal("the child ended by itself")
	}
	c.send(closeWith(1000, ""))
	expectCloseFrame(t, c, closes(1000), nil)
	c.expectEOF()
	waitFor(t, readTimeout, "the child to be stopped", func() bool { return !alive(pid) })
	after := s.settle(before)
	logFigures(t, "child closes stdout", 1, s, before, after)
}

func TestChildIgnoringSignalsIsKilled(t *testing.T) {
	record := filepath.Join(t.TempDir(), "signals")
	body := fmt.Sprintf("trap 'echo INT >> %[1]s' INT\ntrap 'echo TERM >> %[1]s' TERM\n"+
		"while :; do sleep 1 & wait $!; done", record)
	// --closems widens each step of the stop sequence, so that even on a
	// busy machine the shell gets to run its traps before the next signal.
	s := startServer(t, "--loglevel=debug", "--closems=300", withPID(t, body))
	before := s.figures()
	c := s.dial("/")
	_, said := receive(t, c)
	pid, _ := strconv.Atoi(said)
	c.Close()
	waitFor(t, readTimeout, "the child to be killed", func() bool { return !alive(pid) })
	got, _ := os.ReadFile(record)
	if string(got) != "INT\nTERM\n" {
		t.Fatalf("the child saw signals %q, want INT then TERM", got)
	}
	waitFor(t, readTimeout, "the log to say how the child ended", func() bool {
		return len(s.out.lines("pid:'"+said+"' status:'signal: killed'")) > 0
	})
	after := s.settle(before)
	logFigures(t, "child ignores SIGINT and SIGTERM", 1, s, before, after)
}

func TestGrandchildHoldingStdoutIsKilled(t *testing.T) {
	s := startServer(t, script(t, "orphan.sh", "sleep 300 &\necho $$ $!\nexit 0\n"))
	before := s.figures()
	c := s.dial("/")
	_, said := receive(t, c)
	var child, grandchild int
	if _, err := fmt.Sscan(said, &child, &grandchild); err != nil || !alive(grandchild) {
		t.Fatalf("want two pids and a live grandchild, got %q (%v)", said, err)
	}
	c.Close()
	waitFor(t, readTimeout, "the grandchild to be killed", func() bool {
		return !alive(child) && !alive(grandchild)
	})
	after := s.settle(before)
	logFigures(t, "grandchild holds stdout", 1, s, before, after)
}

func TestChildExitingAtOnce(t *testing.T) {
	for _, tc := range []struct {
		status, code int
	}{{0, websocket.CloseNormalClosure}, {3, websocket.CloseInternalServerErr}} {
		t.Run("exit "+strconv.Itoa(tc.status), func(t *testing.T) {
			s := startServer(t, script(t, "quit.sh", "exit "+strconv.Itoa(tc.status)+"\n"))
			before := s.figures()
			const connections = 10
			for range connections {
				if code, _ := expectClose(t, s.dial("/")); code != tc.code {
					t.Fatalf("close code %d, want %d", code, tc.code)
				}
			}
			after := s.settle(before)
			logFigures(t, "child exits at once", connections, s, before, after)
		})
	}
}

func TestTenMiBLineIsOneMessage(t *testing.T) {
	const size = 10 << 20
	s := startServer(t, "--maxlinesize=16777216",
		script(t, "big.sh", fmt.Sprintf("head -c %d /dev/zero | tr '\\0' a\necho\necho after\n", size)))
	before := s.figures()
	c := s.dial("/") // the client reads without limit
	_, line := receive(t, c)
	if len(line) != size || strings.Trim(line, "a") != "" {
		t.Fatalf("got a message of %d bytes, want %d bytes of 'a'", len(line), size)
	}
	expectText(t, c, "after")
	expectClose(t, c)
	after := s.settle(before)
	logFigures(t, "10 MiB line", 1, s, before, after)
}

func TestCommandMadeUnrunnableWhileServing(t *testing.T) {
	command := script(t, "echo.sh", "exec cat\n")
	s := startServer(t, command)
	before := s.figures()
	old := s.dial("/")
	send(t, old, websocket.TextMessage, "before")
	expectText(t, old, "before")
	breakages := []struct {
		name  string
		apply func() error
	}{
		{"not executable", func() error { return os.Chmod(command, 0o644) }},
		{"deleted", func() error { return os.Remove(command) }},
	}
	for i, b := range breakages {
		if err := b.apply(); err != nil {
			t.Fatal(err)
		}
		code, reason := expectClose(t, s.dial("/"))
		if code != websocket.CloseInternalServerErr {
			t.Fatalf("%s: close %d %q, want 1011", b.name, code, reason)
		}
		waitFor(t, readTimeout, "an error line", func() bool {
			return len(s.out.lines("| ERROR  |")) > i && len(s.out.lines("cannot start process")) > i
		})
		send(t, old, websocket.TextMessage, "still "+b.name)
		expectText(t, old, "still "+b.name)
	}
	old.Close()
	after := s.settle(before)
	t.Logf("the log said: %s", firstLine(s.out.lines("cannot start process")))
	logFigures(t, "command made unrunnable", 3, s, before, after)
}
