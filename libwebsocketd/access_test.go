package libwebsocketd

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// readServerRequest parses a request head as net/http's server does, so
// that RequestURI and Host are what a handler gets.
func readServerRequest(t *testing.T, head string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
	if err != nil {
		t.Fatalf("%q: %v", head, err)
	}
	return r
}

// The access log names each request once, whatever form its target takes:
// an absolute-form target already holds the scheme and host.
func TestRequestURL(t *testing.T) {
	cases := []struct{ requestLine, host, want string }{
		{"GET /x?y=1 HTTP/1.1", "h.example", "http://h.example/x?y=1"},
		{"GET http://evil.example/x?y=1 HTTP/1.1", "h.example", "http://evil.example/x?y=1"},
		{"GET HTTP://u@evil.example:81/x HTTP/1.1", "h.example", "http://evil.example:81/x"},
		{"GET http://evil.example HTTP/1.1", "h.example", "http://evil.example"},
		{"GET http://evil.example?q HTTP/1.1", "h.example", "http://evil.example?q"},
		{"CONNECT evil.example:443 HTTP/1.1", "evil.example:443", "http://evil.example:443"},
	}
	for _, tc := range cases {
		r := readServerRequest(t, tc.requestLine+"\r\nHost: "+tc.host+"\r\n\r\n")
		if got := requestURL(r); got != tc.want {
			t.Errorf("%q: logged as %q, want %q", tc.requestLine, got, tc.want)
		}
	}
}

// An upgrade request with a body is dropped by the WebSocket library after
// it has taken the connection, without any response: the access log must
// not claim a 101.
func TestAccessLogDroppedUpgrade(t *testing.T) {
	var out bytes.Buffer
	h, err := NewHandler(Config{Command: []string{"cat"}}, NewLogger(&out, LevelAccess, "text"))
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r) // the access line is written when this returns
		served <- struct{}{}
	}))
	defer srv.Close()
	client, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(client, "GET /x HTTP/1.1\r\nHost: h.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 5\r\n\r\nhello")
	answer, err := io.ReadAll(client)
	if err != nil || len(answer) != 0 {
		t.Fatalf("the client got %q (%v), want the connection closed without an answer", answer, err)
	}
	<-served
	log := out.String()
	if strings.Contains(log, "101") || !strings.Contains(log, "| GET dropped without a response") {
		t.Errorf("access log of a dropped upgrade:\n%s", log)
	}
}

// hijackOnly is a ResponseWriter whose Hijack hands out one end of a pipe.
type hijackOnly struct {
	httptest.ResponseRecorder
	conn net.Conn
}

func (h *hijackOnly) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return h.conn, bufio.NewReadWriter(bufio.NewReader(h.conn), bufio.NewWriter(h.conn)), nil
}

// A hijack alone is no 101: only a completed upgrade is logged as one.
func TestAccessLogNeedsTheUpgradeForA101(t *testing.T) {
	for _, upgraded := range []bool{false, true} {
		var out bytes.Buffer
		h := &Handler{log: NewLogger(&out, LevelAccess, "text")}
		server, client := net.Pipe()
		defer client.Close()
		rec := &accessRecorder{ResponseWriter: &hijackOnly{conn: server}}
		if _, _, err := rec.Hijack(); err != nil {
			t.Fatal(err)
		}
		if upgraded {
			answeredUpgrade(rec)
		}
		r := readServerRequest(t, "GET /x HTTP/1.1\r\nHost: h.example\r\n\r\n")
		h.logAccess(rec, r, time.Now())
		if got := strings.Contains(out.String(), "| GET 101 Switching Protocols"); got != upgraded {
			t.Errorf("upgraded %v: access log %q", upgraded, out.String())
		}
	}
}
