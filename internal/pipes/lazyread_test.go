package pipes

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// TestLineReaderOnPipe reads a real pipe, where waiting goes through the
// poller without a buffer: lines cut across writes still come out whole.
func TestLineReaderOnPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lines := NewLineReader(NewLazyInput(r), testMaxLine)
	go func() {
		for _, part := range []string{"one\ntw", "o\r\nthr", "ee\n", "last"} {
			w.Write([]byte(part))
		}
		w.Close()
	}()
	for _, want := range []string{"one", "two", "three", "last"} {
		got, err := lines.Next()
		if err != nil || string(got) != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
	if _, err := lines.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last line: %v, want EOF", err)
	}
	if lines.buf != nil {
		t.Error("the reader still holds a buffer after the end")
	}
}

// TestChunkReaderClosedWhileWaiting: closing our end of the pipe ends a
// read that waits on it with os.ErrClosed, which the stdout pump expects.
func TestChunkReaderClosedWhileWaiting(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	chunks := NewChunkReader(NewLazyInput(r))
	w.Write([]byte("first"))
	if got, err := chunks.Next(); err != nil || string(got) != "first" {
		t.Fatalf("got %q, %v", got, err)
	}
	done := make(chan error)
	go func() {
		_, err := chunks.Next()
		done <- err
	}()
	r.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("read on a closed pipe: %v, want os.ErrClosed", err)
	}
}

// A busy pipe read by a lingering input has its deadline moved on once per
// half Linger, not at every read (each costs the runtime's timer lock),
// and a quiet one still gives up after the linger.
func TestLingerInputMovesItsDeadlineSeldom(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	raw, err := r.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	in := NewLingerInput(r, raw).(*lingerInput)
	moves := 0
	in.setDeadline = func(by time.Time) error { moves++; return r.SetReadDeadline(by) }
	const reads = 100
	start := time.Now()
	for i := range reads {
		w.Write([]byte("x"))
		buf, n, err := in.Read()
		if err != nil || n != 1 {
			t.Fatalf("read %d: %d bytes, %v", i, n, err)
		}
		PutBuffer(buf)
	}
	// However slow the machine: once, and once more per half Linger gone.
	if most := 1 + int(time.Since(start)/(Linger/2)); moves > most {
		t.Errorf("%d reads moved the deadline %d times, want at most %d", reads, moves, most)
	}
	if _, _, err := in.Read(); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("a quiet pipe: %v, want ErrWouldBlock", err)
	}
}
