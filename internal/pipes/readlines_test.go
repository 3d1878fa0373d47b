//go:build linux && !portable

// The shared watcher is Linux's (watcher_linux.go); these test its stderr side.

package pipes

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// watchPipe watches a new pipe's read end and collects the lines.
func watchPipe(t *testing.T) (w *os.File, stream *lineStream, lines func() []string, done chan struct{}) {
	t.Helper()
	watcher, err := SharedWatcher()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	var mu sync.Mutex
	var got []string
	done = make(chan struct{})
	stream, _, err = watcher.watchLines(r, testMaxLine, func(line []byte) {
		mu.Lock()
		got = append(got, string(line))
		mu.Unlock()
	}, done)
	if err != nil {
		t.Fatal(err)
	}
	return w, stream, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}, done
}

func awaitDone(t *testing.T, done chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the stream did not end")
	}
}

// TestStderrWatcherReadsManyPipes: every line of every pipe, in order, to
// the right stream, a last line without newline included; each pipe is
// closed at its end.
func TestStderrWatcherReadsManyPipes(t *testing.T) {
	const pipes = 20
	type watched struct {
		w      *os.File
		stream *lineStream
		lines  func() []string
		done   chan struct{}
	}
	all := make([]watched, pipes)
	for i := range all {
		w, stream, lines, done := watchPipe(t)
		all[i] = watched{w, stream, lines, done}
	}
	for i, p := range all {
		go func() {
			fmt.Fprintf(p.w, "pipe %d line 1\npipe %d li", i, i)
			fmt.Fprintf(p.w, "ne 2\r\npipe %d last", i)
			p.w.Close()
		}()
	}
	for i, p := range all {
		awaitDone(t, p.done)
		want := []string{fmt.Sprintf("pipe %d line 1", i), fmt.Sprintf("pipe %d line 2", i), fmt.Sprintf("pipe %d last", i)}
		if got := p.lines(); !slices.Equal(got, want) {
			t.Errorf("pipe %d: got %q, want %q", i, got, want)
		}
		if err := descriptorState(p.stream); !errors.Is(err, unix.EBADF) {
			t.Errorf("pipe %d: read end not closed at the end (fcntl: %v)", i, err)
		}
	}
}

// TestStderrStopWhileHeldOpen: a pipe whose writer never closes is ended
// by stop, which closes it.
func TestStderrStopWhileHeldOpen(t *testing.T) {
	w, stream, _, done := watchPipe(t)
	w.Write([]byte("no end\n"))
	stream.stop()
	awaitDone(t, done)
	stream.stop() // twice is fine
	if _, err := w.Write([]byte("more\n")); !errors.Is(err, unix.EPIPE) {
		t.Errorf("read end not closed by stop (a write to the pipe: %v)", err)
	}
}

// descriptorState asks for the flags of the stream's descriptor: EBADF
// once it is closed (no other test runs meanwhile to reuse its number).
func descriptorState(s *lineStream) error {
	_, err := unix.FcntlInt(uintptr(s.pipe.(ownedPipe)), unix.F_GETFD, 0)
	return err
}

// TestStderrWatcherHoldsNoPollerEntry: the watcher reads the pipe through
// a descriptor of its own, out of Go's poller (whose entries the runtime
// never frees), non-blocking and close-on-exec; the os.File is closed.
func TestStderrWatcherHoldsNoPollerEntry(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	watcher, err := SharedWatcher()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	stream, _, err := watcher.watchLines(r, testMaxLine, func([]byte) {}, done)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.stop()
	if err := r.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("the os.File is still open (Close: %v)", err)
	}
	fd, ok := stream.pipe.(ownedPipe)
	if !ok {
		t.Fatalf("the stream reads a %T, not a descriptor of its own", stream.pipe)
	}
	status, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || status&unix.O_NONBLOCK == 0 {
		t.Errorf("descriptor flags %#x (%v), want O_NONBLOCK", status, err)
	}
	if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("descriptor flags %#x (%v), want FD_CLOEXEC", flags, err)
	}
}

// TestQuietStderrHoldsNoReader: a pipe that has said nothing has no line
// reader yet; its first line makes one.
func TestQuietStderrHoldsNoReader(t *testing.T) {
	w, stream, lines, _ := watchPipe(t)
	stream.mu.Lock()
	quiet := stream.lines == nil
	stream.mu.Unlock()
	if !quiet {
		t.Error("a pipe that said nothing holds a line reader")
	}
	w.Write([]byte("first\n"))
	deadline := time.Now().Add(20 * time.Second)
	for len(lines()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := lines(); !slices.Equal(got, []string{"first"}) {
		t.Errorf("got %q, want the first line", got)
	}
}
