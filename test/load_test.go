//go:build !windows

package test

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Load: many connections, one after another and all at once. Each test
// ends with its closing figure (cycles, children left, the server's RSS
// and open descriptors before and after) in its log.

// figures is what the server holds at one moment.
type figures struct {
	rssKiB, fds int
}

func (s *server) figures() figures {
	s.t.Helper()
	pid := s.cmd.Process.Pid
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		s.t.Fatalf("counting the server's descriptors: %v", err)
	}
	return figures{rssKiB: rssKiB(s.t, pid), fds: len(entries)}
}

// rssKiB reads VmRSS from /proc/PID/status.
func rssKiB(t testing.TB, pid int) int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading the server's status: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(value), " kB"))
			return kib
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// logFigures writes a test's closing figure.
func logFigures(t testing.TB, what string, count int, s *server, before, after figures) {
	t.Helper()
	t.Logf("closing figure: %s: count %d, children left %d, RSS %d KiB -> %d KiB, fds %d -> %d",
		what, count, len(s.children()), before.rssKiB, after.rssKiB, before.fds, after.fds)
}

// settle waits until the server has no child and no more descriptors than
// it had at the start, and returns its figures then.
func (s *server) settle(start figures) figures {
	s.t.Helper()
	s.waitNoChildren(readTimeout)
	waitFor(s.t, readTimeout, "the server's descriptors to be back to the start count", func() bool {
		return s.figures().fds <= start.fds
	})
	return s.figures()
}

// echoCycle connects, checks one round trip and closes cleanly.
func echoCycle(s *server, message string) error {
	c, _, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(readTimeout))
	if err := c.WriteMessage(websocket.TextMessage, []byte(message)); err != nil {
		return err
	}
	if _, got, err := c.ReadMessage(); err != nil || string(got) != message {
		return fmt.Errorf("echo of %q: got %q, %v", message, got, err)
	}
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(readTimeout))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, 1000) {
				return fmt.Errorf("closing: %v", err)
			}
			return nil
		}
	}
}

// runCycles runs count echo cycles on workers goroutines and returns the
// first error.
func runCycles(s *server, count, workers int) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(count); i = next.Add(1) {
				if err := echoCycle(s, fmt.Sprintf("cycle %d", i)); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// churnCycles is the number of connect, echo, close cycles of the churn
// test: about 2 s of work under the race detector on two cores.
const churnCycles = 2000

// churnMarginKiB is how much the server's RSS may grow over the churn: the
// heap may keep some of what the busiest moment needed. Under the race
// detector the detector's own bookkeeping grows with every goroutine ever
// started (about 7 KiB a cycle, measured: 48 MiB -> 69 MiB over 4,000
// cycles, while the same 10,000 cycles without it grew 15.3 -> 16.3 MiB),
// so it gets a per-cycle allowance; a leaked session (three goroutine
// stacks, its buffers) costs far more than that.
func churnMarginKiB(cycles int) int {
	margin := 8 << 10
	if raceEnabled {
		margin += 12 * cycles
	}
	return margin
}

func TestChurnLeavesNothingBehind(t *testing.T) {
	s := startServer(t, "cat")
	start := s.figures()
	const workers = 8
	// Warm-up: the heap and the runtime reach their working size.
	if err := runCycles(s, 100, workers); err != nil {
		t.Fatal(err)
	}
	before := s.settle(start)
	count := churnCycles
	startedAt := time.Now()
	if err := runCycles(s, count, workers); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(startedAt)
	after := s.settle(before)
	logFigures(t, fmt.Sprintf("churn (%d workers, race %v, %v)", workers, raceEnabled, elapsed.Round(time.Millisecond)),
		count, s, before, after)
	if zombies := s.children(); len(zombies) > 0 {
		t.Fatalf("children left: %v", zombies)
	}
	if after.rssKiB > before.rssKiB+churnMarginKiB(count) {
		t.Fatalf("RSS grew from %d KiB to %d KiB over %d cycles", before.rssKiB, after.rssKiB, count)
	}
}

// concurrentConnections is how many connections, each with its own cat,
// are open at once in the concurrency test (about 3 s under the race
// detector on two cores, measured).
const concurrentConnections = 2000

// raiseFileLimit lifts the test process's descriptor limit to its hard
// limit; the server it starts inherits it.
func raiseFileLimit(t *testing.T, want uint64) {
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		t.Fatal(err)
	}
	if limit.Cur < limit.Max {
		limit.Cur = limit.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
			t.Fatal(err)
		}
	}
	if uint64(limit.Cur) < want { // int64 on FreeBSD
		t.Skipf("RLIMIT_NOFILE hard limit %d is below the %d this test needs", limit.Max, want)
	}
}

func TestManyConcurrentConnections(t *testing.T) {
	n := concurrentConnections
	raiseFileLimit(t, uint64(6*n+100))
	s := startServer(t, "--maxforks=0", "cat")
	before := s.figures()
	conns := make([]*websocket.Conn, n)
	startedAt := time.Now()
	parallel(t, n, 32, func(i int) error {
		c, _, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
		conns[i] = c
		return err
	})
	opened := time.Since(startedAt)
	// Every connection echoes at the same time.
	parallel(t, n, n, func(i int) error {
		c := conns[i]
		message := fmt.Sprintf("connection %d", i)
		c.SetReadDeadline(time.Now().Add(2 * readTimeout))
		if err := c.WriteMessage(websocket.TextMessage, []byte(message)); err != nil {
			return err
		}
		if _, got, err := c.ReadMessage(); err != nil || string(got) != message {
			return fmt.Errorf("connection %d: got %q, %v", i, got, err)
		}
		return nil
	})
	// Counted only now: the 101 reaches the client before its process is
	// started, but an answered echo proves the process is there.
	if live := len(s.children()); live != n {
		t.Fatalf("%d connections echoed but %d processes", n, live)
	}
	peak := s.figures()
	for _, c := range conns {
		c.Close()
	}
	after := s.settle(before)
	t.Logf("%d connections opened in %v (race %v); at the peak: RSS %d KiB, fds %d",
		n, opened.Round(time.Millisecond), raceEnabled, peak.rssKiB, peak.fds)
	logFigures(t, "concurrent connections", n, s, before, after)
}

// parallel runs do(0..n-1) on at most width goroutines; errors fail t.
func parallel(t *testing.T, n, width int, do func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	slots := make(chan struct{}, width)
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := do(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatalf("%v (and %d more errors)", err, len(errs))
	}
}

func TestOutOfDescriptorsIsLoggedAndSurvived(t *testing.T) {
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit (util-linux) is not installed")
	}
	s := startServer(t, "cat")
	before := s.figures()
	// Room for the server as it is and a few sessions, no more.
	limit := strconv.Itoa(before.fds + 16)
	pid := strconv.Itoa(s.cmd.Process.Pid)
	if out, err := exec.Command("prlimit", "--pid="+pid, "--nofile="+limit+":"+limit).CombinedOutput(); err != nil {
		t.Skipf("cannot lower the server's descriptor limit: %v %s", err, out)
	}
	const clients = 24
	var conns []*websocket.Conn
	for range clients {
		dialer := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		if c, _, err := dialer.Dial(s.url("/"), nil); err == nil {
			conns = append(conns, c)
		}
	}
	waitFor(t, readTimeout, "an error line about descriptors", func() bool {
		return len(s.out.lines("too many open files")) > 0
	})
	for _, c := range conns {
		c.Close()
	}
	after := s.settle(before)
	if err := echoCycle(s, "still serving"); err != nil {
		t.Fatalf("after running out of descriptors: %v\n%s", err, s.out)
	}
	t.Logf("%d of %d clients connected under a limit of %s descriptors; the log said: %s",
		len(conns), clients, limit, firstLine(s.out.lines("too many open files")))
	logFigures(t, "out of descriptors", clients, s, before, after)
}

func firstLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}
