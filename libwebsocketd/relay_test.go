package libwebsocketd

import (
	"bytes"
	"errors"
	"testing"
)

// writeCounter is a pipe that keeps what it is given and counts writes.
type writeCounter struct {
	bytes.Buffer
	writes int
	fail   error
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	if w.fail != nil {
		return 0, w.fail
	}
	return w.Buffer.Write(p)
}

// A burst bigger than the small stdin buffer is gathered in a big one:
// 1,000 lines of 64 bytes (a busy client's socket read) take three pipe
// writes at most, not one per 4 KiB; framed messages too.
func TestBigBurstTakesFewPipeWrites(t *testing.T) {
	line := bytes.Repeat([]byte("x"), 63)
	for _, framed := range []bool{false, true} {
		pipe := &writeCounter{}
		b := burstWriter{pipe: pipe}
		var want []byte
		for range 1000 {
			if framed {
				b.writeFramed(false, line)
				header := framedHeader(false, len(line))
				want = append(append(want, header[:]...), line...)
			} else {
				b.write(line, true)
				want = append(append(want, line...), '\n')
			}
		}
		if err := b.flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pipe.Bytes(), want) {
			t.Fatalf("framed %v: the pipe got %d bytes, not the %d written", framed, pipe.Len(), len(want))
		}
		if pipe.writes > 3 {
			t.Errorf("framed %v: a burst of %d bytes took %d pipe writes", framed, len(want), pipe.writes)
		}
	}
}

// A pipe that fails while the small buffer is handed on says so at the
// burst's flush, and the writer starts the next burst afresh.
func TestBurstWriterReportsAFailedPipe(t *testing.T) {
	broken := errors.New("broken pipe")
	pipe := &writeCounter{fail: broken}
	b := burstWriter{pipe: pipe}
	for range 200 {
		b.write(bytes.Repeat([]byte("y"), 63), true)
	}
	if err := b.flush(); !errors.Is(err, broken) {
		t.Fatalf("flush: %v, want the pipe's error", err)
	}
	pipe.fail = nil
	b.write([]byte("next"), true)
	if err := b.flush(); err != nil || pipe.String() != "next\n" {
		t.Fatalf("the next burst: %q, %v", pipe.String(), err)
	}
}
