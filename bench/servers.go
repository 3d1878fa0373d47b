//go:build !windows

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// servingLine is what websocketd (and the ceiling server, which copies it)
// logs once it accepts connections.
var servingLine = regexp.MustCompile(`serving .* on ws://([^ /]+)/`)

// startTimeout bounds how long a server may take to say it is serving.
const startTimeout = 20 * time.Second

// serverProc is one server under measurement: websocketd or a ceiling.
type serverProc struct {
	cmd  *exec.Cmd
	addr string // host:port it serves on
	pid  int
	out  *tailLog
	done chan struct{}
}

// startServer runs argv, pinned to the server CPUs when pin is set, and
// waits until it reports its address. The whole output is read all along,
// so a server that logs every connection never blocks on a full pipe.
func startServer(pin string, argv ...string) (*serverProc, error) {
	return startProcess(pin, servingLine, argv...)
}

// startProcess is startServer for a server that reports its address
// (ready's first group) in a line of its own.
func startProcess(pin string, ready *regexp.Regexp, argv ...string) (*serverProc, error) {
	if pin != "" {
		argv = append([]string{"taskset", "-c", pin}, argv...)
	}
	s := &serverProc{out: &tailLog{}, done: make(chan struct{})}
	s.cmd = exec.Command(argv[0], argv[1:]...)
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s.cmd.Stdout, s.cmd.Stderr = pw, pw
	err = s.cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, err
	}
	s.pid = s.cmd.Process.Pid // taskset execs the server: same pid
	addrs := make(chan string, 1)
	go s.readOutput(pr, ready, addrs)
	go func() { s.cmd.Wait(); close(s.done) }()
	select {
	case s.addr = <-addrs:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("%s exited before serving: %v\n%s", argv[0], s.cmd.ProcessState, s.out)
	case <-time.After(startTimeout):
		s.kill()
		return nil, fmt.Errorf("%s did not report serving within %v\n%s", argv[0], startTimeout, s.out)
	}
}

func (s *serverProc) readOutput(r io.ReadCloser, ready *regexp.Regexp, addrs chan<- string) {
	defer r.Close()
	scanner := bufio.NewScanner(r)
	found := false
	for scanner.Scan() {
		line := scanner.Text()
		s.out.add(line)
		if m := ready.FindStringSubmatch(line); m != nil && !found {
			found = true
			addrs <- m[1]
		}
	}
}

// stop ends the server with SIGTERM, as an operator would, and reports an
// exit that is not clean.
func (s *serverProc) stop() error { return s.stopWith(syscall.SIGTERM) }

// stopWith is stop for a server that takes another signal to end well.
func (s *serverProc) stopWith(sig os.Signal) error {
	s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.kill()
		return fmt.Errorf("server %d did not exit within 30s of SIGTERM\n%s", s.pid, s.out)
	}
	if !s.cmd.ProcessState.Success() {
		return fmt.Errorf("server %d exited with %v\n%s", s.pid, s.cmd.ProcessState, s.out)
	}
	return nil
}

func (s *serverProc) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

func (s *serverProc) url(path string) string { return "ws://" + s.addr + path }

// tailLog keeps the last lines a server wrote, for error reports.
type tailLog struct {
	mu    sync.Mutex
	lines []string
}

const tailLines = 200 // enough for a race detector report

func (t *tailLog) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == tailLines {
		t.lines = t.lines[1:]
	}
	t.lines = append(t.lines, line)
}

func (t *tailLog) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
