//go:build !windows

package test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The life of the server and of its sessions' processes: which process
// serves a session, graceful and hurried shutdown on signals, and no
// process left behind, whenever the signal comes.

// onlyChild waits for the one session of s and returns its process id.
func onlyChild(t testing.TB, s *server) int {
	t.Helper()
	return connectedPID(t, s.out.String)
}

// connectedPID waits for the one CONNECT line in a server's log and
// returns the pid it names.
func connectedPID(t testing.TB, log func() string) int {
	t.Helper()
	// The pid comes from the session's CONNECT line, not from a scan of
	// the server's children: a scan can catch a short-lived process that
	// is not the session's (seen under -race on a loaded machine), and
	// the tests then watched the wrong pid.
	var pid int
	waitFor(t, readTimeout, "the session's CONNECT line", func() bool {
		lines := connectLine.FindAllStringSubmatch(log(), -1)
		if len(lines) != 1 {
			return false
		}
		pid, _ = strconv.Atoi(lines[0][1])
		return true
	})
	return pid
}

var connectLine = regexp.MustCompile(`pid:'(\d+)' \| CONNECT`)

func TestSIGTERMClosesEveryClientWith1001(t *testing.T) {
	s := startServer(t, "cat")
	conns := make([]*websocket.Conn, 20)
	for i := range conns {
		conns[i] = s.dial("/")
		echoOnce(t, conns[i], "hello")
	}
	pids := s.children()
	if len(pids) != len(conns) {
		t.Fatalf("%d processes for %d connections", len(pids), len(conns))
	}
	s.shutdownEndsEverything(conns, pids)
}

// shutdownEndsEverything sends the server SIGTERM and checks a graceful
// end: every client gets 1001, the server exits 0, and none of pids (the
// processes it served them with) outlives it.
func (s *server) shutdownEndsEverything(conns []*websocket.Conn, pids []int) {
	t := s.t
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	for i, c := range conns {
		if code, _ := expectClose(t, c); code != websocket.CloseGoingAway {
			t.Errorf("client %d got close code %d, want 1001", i, code)
		}
	}
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, s.out)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d outlived the server", pid)
		}
	}
}

func TestSecondSIGINTExitsAtOnce(t *testing.T) {
	// Children that ignore SIGINT and SIGTERM, and a stop sequence and
	// shutdown grace of minutes: only the second signal can end this soon.
	s := startServer(t, "--closems=60000", "--shutdownms=120000",
		script(t, "stubborn.sh", "trap '' INT TERM\necho ready\nexec sleep 300\n"))
	conns := make([]*websocket.Conn, 3)
	for i := range conns {
		conns[i] = s.dial("/")
		expectText(t, conns[i], "ready")
	}
	pids := s.children()
	s.cmd.Process.Signal(syscall.SIGINT)
	for _, c := range conns {
		if code, _ := expectClose(t, c); code != websocket.CloseGoingAway {
			t.Fatalf("close code %d, want 1001", code)
		}
	}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("process %d ended within its grace: the test proves nothing", pid)
		}
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	// Far below the minutes the first shutdown would take.
	if code := s.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, s.out)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d outlived the server", pid)
		}
	}
}

// running lists the live processes whose command line holds marker (a
// script's unique path): found after the server exited, they are orphans,
// wherever they were in their start when it did.
func running(marker string) []int {
	return processes(func(pid int) bool {
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		return err == nil && alive(pid) && strings.Contains(string(cmdline), marker)
	})
}

// expectNoOrphans fails the test if a process running marker is left,
// and kills it.
func expectNoOrphans(t testing.TB, marker string) {
	t.Helper()
	for _, pid := range running(marker) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("process %d outlived the server", pid)
	}
}

func TestSIGTERMDuringConnectStorm(t *testing.T) {
	// Clients keep connecting while the server shuts down, so some
	// upgrades are under way when the signal comes.
	storm := script(t, "storm.sh", "while read line; do echo \"$line\"; done\n")
	s := startServer(t, storm)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 { // until the server is gone, at most 100 each
				conn, _, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
				if err != nil {
					return
				}
				defer conn.Close()
			}
		}()
	}
	waitFor(t, readTimeout, "20 sessions", func() bool { return len(running(storm)) >= 20 })
	s.cmd.Process.Signal(syscall.SIGTERM)
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, s.out)
	}
	wg.Wait()
	expectNoOrphans(t, storm)
}

func TestSIGTERMRightAfterUpgrade(t *testing.T) {
	// The signal comes while the only session's process is being started:
	// the server must wait for it and stop it, not exit and orphan it.
	// The child ignores stdin's end and the gentle signals, so an orphan
	// would stay around to be seen.
	for i := range 3 {
		stubborn := script(t, "late.sh", "trap '' INT TERM HUP\nsleep 300\n")
		s := startServer(t, stubborn)
		conn, _, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
		if err != nil {
			t.Fatal(err)
		}
		s.cmd.Process.Signal(syscall.SIGTERM)
		conn.Close()
		if code := s.wait(readTimeout); code != 0 {
			t.Fatalf("round %d: exit code %d, want 0\n%s", i, code, s.out)
		}
		expectNoOrphans(t, stubborn)
	}
}
