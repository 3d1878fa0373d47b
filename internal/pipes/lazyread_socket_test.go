//go:build unix

package pipes

import (
	"errors"
	"net"
	"os"
	"testing"
)

// TestChunkReaderOnSocket: a socket (websocketd's --connect) is waited on
// through the poller as a pipe is, holding no buffer while it is quiet,
// and closing it under a waiting read ends that read with os.ErrClosed.
func TestChunkReaderOnSocket(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	writer, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	in := NewLazyInput(conn)
	if in.(*lazyInput).raw == nil {
		t.Fatal("a TCP connection is read into a buffer while it is quiet, not waited on")
	}
	chunks := NewChunkReader(in)
	writer.Write([]byte("bytes"))
	if got, err := chunks.Next(); err != nil || string(got) != "bytes" {
		t.Fatalf("got %q, %v", got, err)
	}
	done := make(chan error)
	go func() {
		_, err := chunks.Next()
		done <- err
	}()
	conn.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("read on a closed socket: %v, want os.ErrClosed", err)
	}
}
