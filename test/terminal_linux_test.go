package test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The client leaves while no goroutine reads the terminal: the server's
// watcher is waiting on the master. Closing the master hangs up the shell;
// the output side must still hear of it, or nobody reaps the shell and the
// session never ends. Whether a read was still under way used to depend on
// timing (the drain lingers a moment after output); here it is certain.
func TestTerminalClientGoneWhileWatcherWaits(t *testing.T) {
	requireWatcher(t)
	s, tc := startShell(t, "/", "trap '' INT TERM; trap 'exit 7' HUP; ", "--closems=60000")
	shell := s.children()
	if len(shell) != 1 {
		t.Fatalf("want one child, got %v", shell)
	}
	waitWatcherWaitsOnTerminal(t, s)
	tc.c.Close()
	waitFor(t, readTimeout, "the shell to end on SIGHUP", func() bool { return !alive(shell[0]) })
	s.waitNoChildren(readTimeout)
}

// With --pty only stdout is a terminal, and stdin a pipe: a client that
// leaves while the watcher waits on the master ends the child through its
// stdin, and the master's hang-up, once the child is gone, wakes the watcher.
func TestPTYClientGoneWhileWatcherWaits(t *testing.T) {
	requireWatcher(t)
	s := startServer(t, "--pty", "--closems=60000", script(t, "reader.sh", "trap '' INT TERM\necho ready\nread line\n"))
	c := s.dial("/")
	if _, got := receive(t, c); got != "ready" {
		t.Fatalf("got %q, want ready", got)
	}
	child := s.children()
	if len(child) != 1 {
		t.Fatalf("want one child, got %v", child)
	}
	waitWatcherWaitsOnTerminal(t, s)
	c.Close()
	waitFor(t, readTimeout, "the child to end at the end of its stdin", func() bool { return !alive(child[0]) })
	s.waitNoChildren(readTimeout)
}

// requireWatcher skips a test about the shared epoll watcher in the
// portable build, which has none (a goroutine per pipe instead).
func requireWatcher(t *testing.T) {
	if portableBuild {
		t.Skip("-tags portable: no shared epoll watcher to wait on")
	}
}

// Event bits of an epoll entry, as /proc/PID/fdinfo shows them in hex.
const (
	epollIn      = 0x1
	epollOneShot = 0x40000000
)

// waitWatcherWaitsOnTerminal waits until the server's own epoll watcher
// (a one-shot entry; Go's poller uses none) is armed on a pseudo-terminal
// master: the output's drain has given the master back and ended.
func waitWatcherWaitsOnTerminal(t *testing.T, s *server) {
	t.Helper()
	fdDir := fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid)
	waitFor(t, readTimeout, "the watcher to wait on the terminal", func() bool {
		masters, epolls := map[int]bool{}, []int{}
		entries, _ := os.ReadDir(fdDir)
		for _, entry := range entries {
			fd, _ := strconv.Atoi(entry.Name())
			switch link, _ := os.Readlink(fdDir + "/" + entry.Name()); link {
			case "/dev/ptmx", "/dev/pts/ptmx":
				masters[fd] = true
			case "anon_inode:[eventpoll]":
				epolls = append(epolls, fd)
			}
		}
		for _, epfd := range epolls {
			for fd, events := range epollEntries(s.cmd.Process.Pid, epfd) {
				if masters[fd] && events&epollOneShot != 0 && events&epollIn != 0 {
					return true
				}
			}
		}
		return false
	})
}

// epollEntries reads an epoll descriptor's entries, the event bits armed
// per target descriptor, from lines like "tfd: 9 events: 40002001 ...".
func epollEntries(pid, epfd int) map[int]uint64 {
	info, _ := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, epfd))
	entries := map[int]uint64{}
	for _, line := range strings.Split(string(info), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 4 || fields[0] != "tfd:" || fields[2] != "events:" {
			continue
		}
		fd, err1 := strconv.Atoi(fields[1])
		events, err2 := strconv.ParseUint(fields[3], 16, 64)
		if err1 == nil && err2 == nil {
			entries[fd] = events
		}
	}
	return entries
}
