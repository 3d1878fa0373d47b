//go:build !windows

// Package test holds the black-box tests: they build the real websocketd
// binary, start it on loopback and drive it over real sockets with a real
// WebSocket client and real child processes.
package test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// binary is the websocketd built once for the whole run.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "websocketd-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "websocketd")
	// Without VCS stamping the binary reports the plain release version.
	args := []string{"build", "-buildvcs=false", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	if portableBuild {
		args = append(args, "-tags", "portable")
	}
	build := exec.Command("go", append(args, "..")...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building websocketd:", err)
		os.Exit(1)
	}
	// The race detector otherwise sleeps a second at every exit.
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startTimeout bounds how long a server may take to say it is serving.
const startTimeout = 20 * time.Second

// server is one running websocketd.
type server struct {
	t    testing.TB
	cmd  *exec.Cmd
	out  *syncBuffer
	addr string // host:port of the first TCP listener
	done chan struct{}
}

// servingLine is what websocketd logs once a listener accepts: seeing it
// proves that our server, not some other program, owns the port.
var servingLine = regexp.MustCompile(`serving .* on (wss?)://([^ /]+)/`)

// startServer runs websocketd on a port the kernel picks (so tests never
// collide) with args, and waits until it reports its address.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	s := startProcessOnly(t, append([]string{"--address=127.0.0.1", "--port=0"}, args...)...)
	s.addr = s.waitServing()
	return s
}

// startProcessOnly starts websocketd with exactly args and stops it (and
// checks it left no child behind) when the test ends.
func startProcessOnly(t testing.TB, args ...string) *server {
	t.Helper()
	s := &server{t: t, out: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting websocketd: %v", err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.stop)
	return s
}

func (s *server) waitServing() string {
	s.t.Helper()
	deadline := time.After(startTimeout)
	for {
		// Asked for before the output is read: a line written in between
		// would otherwise notify nobody, and the wait last until the deadline.
		changed := s.out.changed()
		if m := servingLine.FindStringSubmatch(s.out.String()); m != nil {
			return m[2]
		}
		select {
		case <-changed:
		case <-s.done:
			s.t.Fatalf("websocketd exited before serving: %v\n%s", s.cmd.ProcessState, s.out)
		case <-deadline:
			s.t.Fatalf("websocketd did not report serving within %v:\n%s", startTimeout, s.out)
		}
	}
}

// stop ends the server with SIGTERM and checks that it exits and that no
// process it started is left.
func (s *server) stop() {
	pid := s.cmd.Process.Pid
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		s.t.Errorf("websocketd did not exit within 30s of SIGTERM\n%s", s.out)
	}
	if strings.Contains(s.out.String(), "DATA RACE") {
		s.t.Errorf("the race detector found a data race in websocketd:\n%s", s.out)
	} else if s.t.Failed() {
		s.t.Logf("websocketd's log:\n%s", lastBytes(s.out.String(), 6000))
	}
	if left := descendants(pid); len(left) > 0 {
		s.t.Errorf("processes left after the server exited: %v", left)
		for _, p := range left {
			syscall.Kill(p, syscall.SIGKILL)
		}
	}
}

// wait waits for the server to exit by itself and returns its exit code.
func (s *server) wait(timeout time.Duration) int {
	s.t.Helper()
	select {
	case <-s.done:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		s.t.Fatalf("websocketd still running after %v\n%s", timeout, s.out)
		return -1
	}
}

func (s *server) url(path string) string { return "ws://" + s.addr + path }

// dial opens a WebSocket to path and closes it when the test ends.
func (s *server) dial(path string) *websocket.Conn {
	s.t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(s.url(path), nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.t.Fatalf("dial %s: %v (status %d)\n%s", path, err, status, s.out)
	}
	s.t.Cleanup(func() { conn.Close() })
	return conn
}

// dialStatus tries an upgrade and returns the HTTP status it got.
func (s *server) dialStatus(path string, header http.Header) int {
	s.t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(s.url(path), header)
	if err == nil {
		conn.Close()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		s.t.Fatalf("dial %s: %v", path, err)
	}
	return resp.StatusCode
}

// children returns the pids whose parent is the server.
func (s *server) children() []int { return childrenOf(s.cmd.Process.Pid) }

// awaitLines waits (up to readTimeout) until at least n lines of the
// server's output contain substr, and returns those lines: fewer only if
// the wait ran out. The output reaches s.out through a pipe and a copying
// goroutine, so a line the server logged before it answered a client may
// not be there yet when the client has its answer.
func (s *server) awaitLines(substr string, n int) []string {
	deadline := time.After(readTimeout)
	for {
		changed := s.out.changed() // before the read: see waitServing
		found := s.out.lines(substr)
		if len(found) >= n {
			return found
		}
		select {
		case <-changed:
		case <-deadline:
			return found
		}
	}
}

// waitNoChildren waits until the server has no child process left.
func (s *server) waitNoChildren(timeout time.Duration) {
	s.t.Helper()
	waitFor(s.t, timeout, "the server's children to be gone", func() bool {
		return len(s.children()) == 0
	})
}

// waitFor polls cond until it holds or timeout passes. Polling is how we
// observe another process's state; the timeout only bounds a failure.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// procStat returns the ppid and state letter of pid, or ok=false if gone.
func procStat(pid int) (ppid int, state byte, ok bool) {
	fields := statFields(pid)
	if fields == nil {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(fields[1])
	return ppid, fields[0][0], true
}

// processGroup returns the process group of pid, or 0 if it is gone.
func processGroup(pid int) int {
	fields := statFields(pid)
	if fields == nil {
		return 0
	}
	pgid, _ := strconv.Atoi(fields[2])
	return pgid
}

// statFields returns the fields of /proc/PID/stat after the command name
// (state, ppid, pgrp...), or nil if pid is gone.
func statFields(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	// The command name is in parentheses and may hold spaces.
	return strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
}

// commandLine returns pid's arguments joined by spaces, for messages.
func commandLine(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(data), "\x00", " "))
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	_, state, ok := procStat(pid)
	return ok && state != 'Z'
}

// processes lists the pids in /proc for which match holds.
func processes(match func(pid int) bool) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && match(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func childrenOf(parent int) []int {
	return processes(func(pid int) bool {
		ppid, _, ok := procStat(pid)
		return ok && ppid == parent
	})
}

func descendants(root int) []int {
	var all []int
	for queue := childrenOf(root); len(queue) > 0; queue = queue[1:] {
		all = append(all, queue[0])
		queue = append(queue, childrenOf(queue[0])...)
	}
	return all
}

// script writes an executable shell script into a temporary directory.
func script(t testing.TB, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// syncBuffer collects a server's output and tells waiters when it grows.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.notify != nil {
		close(b.notify)
		b.notify = nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// changed returns a channel closed at the next write.
func (b *syncBuffer) changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.notify == nil {
		b.notify = make(chan struct{})
	}
	return b.notify
}

// lines returns the server output's lines that contain substr.
func (b *syncBuffer) lines(substr string) []string {
	var found []string
	scanner := bufio.NewScanner(strings.NewReader(b.String()))
	for scanner.Scan() {
		if strings.Contains(scanner.Text(), substr) {
			found = append(found, scanner.Text())
		}
	}
	return found
}
