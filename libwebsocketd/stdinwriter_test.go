package libwebsocketd

import (
	"bytes"
	"testing"
	"time"
)

// countedDeadlinePipe is a pipe that takes every write and counts the
// deadlines set on it.
type countedDeadlinePipe struct {
	bytes.Buffer
	moves int
}

func (d *countedDeadlinePipe) SetWriteDeadline(time.Time) error { d.moves++; return nil }

// A busy stdin has its write deadline moved on once per half
// hangupCheckInterval, not at every write (each costs the runtime's timer
// lock).
func TestStdinWriterMovesItsDeadlineSeldom(t *testing.T) {
	pipe := &countedDeadlinePipe{}
	w := &stdinWriter{pipe: pipe}
	const writes = 100
	start := time.Now()
	for i := range writes {
		if n, err := w.Write([]byte("message\n")); n != 8 || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	// However slow the machine: once, and once more per half interval gone.
	if most := 1 + int(time.Since(start)/(hangupCheckInterval/2)); pipe.moves > most {
		t.Errorf("%d writes moved the deadline %d times, want at most %d", writes, pipe.moves, most)
	}
	if pipe.Len() != writes*8 {
		t.Errorf("%d bytes reached the pipe, want %d", pipe.Len(), writes*8)
	}
}
