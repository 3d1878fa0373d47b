//go:build !windows

package test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The server's limits on a request's head: one that never ends is dropped,
// one too big gets 431; the server goes on serving.

// A client that sends part of a header and then nothing (slowloris) is
// dropped once the header timeout passes.
func TestUnfinishedHeaderIsDropped(t *testing.T) {
	s := startServer(t, "cat")
	conn, err := net.DialTimeout("tcp", s.addr, readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: "+s.addr+"\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// Far longer than the server's header timeout; it only bounds a failure.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("the server kept a connection whose header never ended: %v", err)
	}
}

// A request head of a megabyte gets 431 before the server has read it all,
// and the server goes on serving, WebSocket and plain HTTP alike.
func TestMegabyteHeaderGets431(t *testing.T) {
	s := startServer(t, "cat")
	before := s.figures()
	conn, err := net.DialTimeout("tcp", s.addr, readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(readTimeout))
	written := make(chan struct{})
	go func() {
		defer close(written)
		// The server answers and closes before taking it all: a write
		// error here is expected.
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"X-Huge: %s\r\n\r\n", s.addr, strings.Repeat("h", 1<<20))
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	conn.Close()
	<-written
	if err != nil {
		t.Fatalf("reading the answer to a 1 MB header: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", resp.StatusCode)
	}
	if err := echoCycle(s, "after the big header"); err != nil {
		t.Fatal(err)
	}
	after := s.settle(before)
	logFigures(t, "1 MB header", 1, s, before, after)
	// After the figures: the plain client keeps its connection alive, and
	// that descriptor of the server's would never let settle return.
	if got := s.fetch("GET", "/", nil, "").status; got != http.StatusNotFound {
		t.Fatalf("the server's next plain answer: %d, want 404", got)
	}
}
