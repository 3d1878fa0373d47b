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
	stream, err = watcher.watchLines(r, testMaxLine, func(line []byte) {
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
		if err := p.stream.file.Close(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("pipe %d: read end not closed at the end (Close: %v)", i, err)
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
	if err := stream.file.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("read end not closed by stop (Close: %v)", err)
	}
}
