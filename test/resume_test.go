//go:build !windows

package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// --resumems: a session whose connection drops without a close frame
// keeps its process for the client to come back to with its token.

// cuttingProxy relays TCP connections on loopback to a server, and cuts
// them all at once when told: both ends see their connection drop, with
// no close frame, and what was in flight between them is lost.
type cuttingProxy struct {
	addr  string
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func startCuttingProxy(t *testing.T, server string) *cuttingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close(); p.cut(); p.wg.Wait() })
	p.wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			upstream, err := net.DialTimeout("tcp", server, readTimeout)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, upstream)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(upstream, client); upstream.Close() })
			p.wg.Go(func() { io.Copy(client, upstream); client.Close() })
		}
	})
	return p
}

// cut drops every connection the proxy relays, as a network failure
// would: the server gets no close frame, and the bytes in flight are lost.
func (p *cuttingProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		if tcp, ok := c.(*net.TCPConn); ok {
			tcp.SetLinger(0) // a reset: what the kernel holds is thrown away
		}
		c.Close()
	}
	p.conns = nil
}

// resumeClient is a client of a resumable session: it counts the output
// messages it has, for its return.
type resumeClient struct {
	t        *testing.T
	conn     *websocket.Conn
	token    string
	received int
}

// dialResumable connects through addr with ?resume=1 and reads the token.
func dialResumable(t *testing.T, addr, path string) *resumeClient {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+addr+path+"?resume=1", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &resumeClient{t: t, conn: conn}
	c.readToken()
	return c
}

func (c *resumeClient) readToken() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(readTimeout))
	kind, message, err := c.conn.ReadMessage()
	var first struct{ Resume string }
	if err != nil || kind != websocket.TextMessage || json.Unmarshal(message, &first) != nil || len(first.Resume) < 26 {
		c.t.Fatalf("first message %q (%v), want {\"resume\":TOKEN}", message, err)
	}
	c.token = first.Resume
}

// next reads one output message.
func (c *resumeClient) next() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(readTimeout))
	_, message, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("after %d messages: %v", c.received, err)
	}
	c.received++
	return string(message)
}

// resumeURL is where the client comes back with its token.
func (c *resumeClient) resumeURL(addr, path string) string {
	return fmt.Sprintf("ws://%s%s?resume=%s&received=%d", addr, path, c.token, c.received)
}

// resume comes back on a new connection.
func (c *resumeClient) resume(addr, path string) {
	c.t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(c.resumeURL(addr, path), nil)
	if err != nil {
		c.t.Fatalf("resume: %v (%v)", err, resp)
	}
	c.t.Cleanup(func() { conn.Close() })
	c.conn = conn
	c.readToken()
}

// resumeStatus is the HTTP status a resume with url gets.
func resumeStatus(t *testing.T, url string) int {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil {
		conn.Close()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	return resp.StatusCode
}

// numberedOutput prints its pid, count numbered lines of some width, then
// answers each line it reads with its pid.
func numberedOutput(t *testing.T, count int) string {
	return script(t, "numbered.sh", `#!/bin/sh
echo "pid $$"
pad=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
i=1
while [ $i -le `+strconv.Itoa(count)+` ]; do echo "line $i $pad"; i=$((i+1)); done
while read line; do echo "$$ got $line"; done
`)
}

func TestResumeAfterACutGetsEveryLineOnceFromTheSameProcess(t *testing.T) {
	const lines = 5000
	srv := startServer(t, "--resumems=60000", numberedOutput(t, lines))
	proxy := startCuttingProxy(t, srv.addr)
	c := dialResumable(t, proxy.addr, "/")
	pid := strings.TrimPrefix(c.next(), "pid ")
	firstToken := c.token
	got := map[int]int{}
	for c.received < 200 {
		n := lineNumber(t, c.next())
		got[n]++
	}
	proxy.cut() // mid-output: what was in flight is lost
	srv.awaitLines("the process is kept for the client's return", 1)
	c.resume(proxy.addr, "/")
	if c.token == firstToken {
		t.Fatal("the token was not renewed on resume")
	}
	for got[lines] == 0 {
		got[lineNumber(t, c.next())]++
	}
	for n := 1; n <= lines; n++ {
		if got[n] != 1 {
			t.Fatalf("line %d arrived %d times", n, got[n])
		}
	}
	// The same process reads what the client types now.
	c.conn.WriteMessage(websocket.TextMessage, []byte("hello"))
	if answer := c.next(); answer != pid+" got hello" {
		t.Fatalf("answer %q, want %q", answer, pid+" got hello")
	}
	if status := resumeStatus(t, fmt.Sprintf("ws://%s/?resume=%s&received=0", srv.addr, firstToken)); status != http.StatusNotFound {
		t.Fatalf("a used token got %d, want 404", status)
	}
	if got := len(srv.children()); got != 1 {
		t.Fatalf("%d processes, want the one", got)
	}
}

func lineNumber(t *testing.T, message string) int {
	t.Helper()
	fields := strings.Fields(message)
	if len(fields) != 3 || fields[0] != "line" {
		t.Fatalf("unexpected output %q", message)
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestResumeTokenExpiresWithItsProcess(t *testing.T) {
	srv := startServer(t, "--resumems=200", numberedOutput(t, 1))
	proxy := startCuttingProxy(t, srv.addr)
	c := dialResumable(t, proxy.addr, "/")
	c.next()
	proxy.cut()
	srv.awaitLines("did not come back in time", 1)
	srv.waitNoChildren(readTimeout)
	if status := resumeStatus(t, c.resumeURL(srv.addr, "/")); status != http.StatusNotFound {
		t.Fatalf("an expired token got %d, want 404", status)
	}
	unknown := fmt.Sprintf("ws://%s/?resume=%sX&received=0", srv.addr, c.token)
	if status := resumeStatus(t, unknown); status != http.StatusNotFound {
		t.Fatalf("an unknown token got %d, want 404", status)
	}
}

func TestResumeCloseFrameEndsTheSession(t *testing.T) {
	srv := startServer(t, "--resumems=60000", numberedOutput(t, 1))
	c := dialResumable(t, srv.addr, "/")
	c.next()
	c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	srv.waitNoChildren(readTimeout)
	if status := resumeStatus(t, c.resumeURL(srv.addr, "/")); status != http.StatusNotFound {
		t.Fatalf("a closed session's token got %d, want 404", status)
	}
}

func TestResumeBufferOverflowEndsTheSession(t *testing.T) {
	srv := startServer(t, "--resumems=60000", "--resumebuffer=4096", numberedOutput(t, 100000))
	proxy := startCuttingProxy(t, srv.addr)
	c := dialResumable(t, proxy.addr, "/")
	c.next()
	proxy.cut()
	srv.awaitLines("output over --resumebuffer", 1)
	srv.waitNoChildren(readTimeout)
	if status := resumeStatus(t, c.resumeURL(srv.addr, "/")); status != http.StatusNotFound {
		t.Fatalf("an overflown session's token got %d, want 404", status)
	}
}

func TestResumeBadRequests(t *testing.T) {
	srv := startServer(t, "--resumems=60000", numberedOutput(t, 1))
	for _, query := range []string{"?resume=abc", "?resume=abc&received=-1", "?resume=abc&received=x"} {
		if status := srv.dialStatus("/"+query, nil); status != http.StatusBadRequest {
			t.Errorf("%s got %d, want 400", query, status)
		}
	}
	// A token is good on its path only.
	c := dialResumable(t, srv.addr, "/")
	if status := resumeStatus(t, c.resumeURL(srv.addr, "/other")); status != http.StatusNotFound {
		t.Fatalf("a token on another path got %d, want 404", status)
	}
}

func TestResumeIgnoredWithoutTheFlag(t *testing.T) {
	srv := startServer(t, numberedOutput(t, 1))
	conn := srv.dial("/?resume=1")
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	if _, message, err := conn.ReadMessage(); err != nil || !strings.HasPrefix(string(message), "pid ") {
		t.Fatalf("first message %q (%v), want the program's", message, err)
	}
	if status := srv.dialStatus("/?resume=abc&received=0", nil); status != http.StatusSwitchingProtocols {
		t.Fatalf("a token without --resumems got %d, want a new session", status)
	}
}
