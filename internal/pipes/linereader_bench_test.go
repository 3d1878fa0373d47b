package pipes

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// repeatReader serves the same block forever, so that a benchmark
// measures the framer and not its source.
type repeatReader struct {
	block []byte
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.block[r.off:])
	r.off = (r.off + n) % len(r.block)
	return n, nil
}

// shortLines is a block of 8-byte lines, like the output of `seq`.
var shortLines = bytes.Repeat([]byte("1234567\n"), 8192)

// BenchmarkLineReader is one short line per op, from memory.
func BenchmarkLineReader(b *testing.B) {
	lines := NewLineReader(NewLazyInput(&repeatReader{block: shortLines}), testMaxLine)
	b.SetBytes(8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lines.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLineReaderCutLines has every read end inside a line, so the
// start of each cut line waits in partial.
func BenchmarkLineReaderCutLines(b *testing.B) {
	lines := NewLineReader(NewLazyInput(&repeatReader{block: shortLines[:len(shortLines)-3]}), testMaxLine)
	b.SetBytes(8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lines.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLineReaderPipe is one short line per op through a real pipe,
// waits in the poller included.
func BenchmarkLineReaderPipe(b *testing.B) {
	lines := NewLineReader(NewLazyInput(repeatPipe(b, shortLines)), testMaxLine)
	b.SetBytes(8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lines.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunkReaderPipe is one binary chunk per op through a pipe.
func BenchmarkChunkReaderPipe(b *testing.B) {
	chunks := NewChunkReader(NewLazyInput(repeatPipe(b, bytes.Repeat([]byte{0xa5}, 1<<20))))
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		chunk, err := chunks.Next()
		if err != nil {
			b.Fatal(err)
		}
		total += int64(len(chunk))
	}
	b.ReportMetric(float64(total)/float64(b.N), "bytes/op")
}

// repeatPipe returns the read end of a pipe that block is written into
// over and over until the benchmark ends.
func repeatPipe(b *testing.B, block []byte) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	go func() {
		defer w.Close()
		io.Copy(w, &repeatReader{block: block})
	}()
	return r
}
