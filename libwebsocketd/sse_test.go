package libwebsocketd

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestAcceptsEventStream(t *testing.T) {
	cases := []struct {
		accept []string
		want   bool
	}{
		{[]string{"text/event-stream"}, true},
		{[]string{"Text/Event-Stream; charset=utf-8"}, true},
		{[]string{"text/html", "application/json, text/event-stream;q=0.5"}, true},
		{[]string{"text/event-stream;q=0"}, false},
		{[]string{"text/event-stream; Q = 0.000"}, false},
		{[]string{"text/event-stream;q=bad"}, true},
		{[]string{"text/html,application/xhtml+xml,*/*;q=0.8"}, false},
		{[]string{"text/event-streams"}, false},
		{nil, false},
	}
	for _, c := range cases {
		if got := acceptsEventStream(c.accept); got != c.want {
			t.Errorf("Accept %q: got %v, want %v", c.accept, got, c.want)
		}
	}
}

// FuzzAcceptsEventStream: whatever comes before it, a plain
// text/event-stream range is found, and nothing is found where the header
// does not name it.
func FuzzAcceptsEventStream(f *testing.F) {
	for _, seed := range []string{"", "*/*", "text/html;q=0.9", "text/event-stream;q=0", ";;,,=", "\"a,b\";q"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		named := strings.Contains(strings.ToLower(header), "text/event-stream")
		if acceptsEventStream([]string{header}) && !named {
			t.Fatalf("%q accepted without naming text/event-stream", header)
		}
		if !named && !acceptsEventStream([]string{header + ", text/event-stream"}) {
			t.Fatalf("%q hides a text/event-stream after it", header)
		}
	})
}

// sseFakeBackend serves an event stream in unit tests: it sends lines, then
// ends by itself (endAfter) or once stopped.
type sseFakeBackend struct {
	lines    []string
	endAfter bool
	line     []byte // sent over and over once lines are out, until a send fails; nil: none

	stopOnce sync.Once
	stopped  chan struct{}
	sendErr  chan error // the send that failed, with line
}

func newSSEFakeBackend(lines ...string) *sseFakeBackend {
	return &sseFakeBackend{lines: lines, stopped: make(chan struct{}), sendErr: make(chan error, 1)}
}

func (f *sseFakeBackend) input(codec, net.Conn, *slog.Logger) messageSink { return nil }
func (f *sseFakeBackend) errorOutput() *os.File                           { return nil }
func (f *sseFakeBackend) kill()                                           { f.stop() }
func (f *sseFakeBackend) pid() int                                        { return 0 }
func (f *sseFakeBackend) stop()                                           { f.stopOnce.Do(func() { close(f.stopped) }) }

func (f *sseFakeBackend) startOutput(_ codec, out outbound, _ *slog.Logger) {
	go func() {
		for i, line := range f.lines {
			out.send(websocket.TextMessage, []byte(line), i < len(f.lines)-1)
		}
		for f.line != nil {
			if err := out.send(websocket.TextMessage, f.line, false); err != nil {
				f.sendErr <- err
				break
			}
		}
		if !f.endAfter {
			<-f.stopped
		}
		out.done(&exitStatus{code: 1000, detail: "exit status 0"})
	}()
}

// sseServer serves event streams from backend on loopback; released
// receives each stream's release once its handler is done.
func sseServer(t *testing.T, backend *sseFakeBackend) (*httptest.Server, *Handler, chan int) {
	t.Helper()
	h, err := NewHandler(Config{Command: []string{"unused"}, SSE: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.clients.acquire()
		h.openSSE(w, r, h.log, backend, lineCodec{limit: 100}, func(code int) { released <- code })
	}))
	t.Cleanup(srv.Close)
	return srv, h, released
}

func awaitOrFail[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

func TestSSEStreamEndsWithOutput(t *testing.T) {
	backend := newSSEFakeBackend("one", "two\rhalf", "three")
	backend.endAfter = true
	srv, _, released := sseServer(t, backend)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // returns once the response is complete
	if err != nil {
		t.Fatal(err)
	}
	want := "id: 1\ndata: one\n\nid: 2\ndata: two\ndata: half\n\nid: 3\ndata: three\n\n"
	if string(body) != want {
		t.Errorf("body %q, want %q", body, want)
	}
	for name, value := range map[string]string{"Content-Type": "text/event-stream",
		"Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := resp.Header.Get(name); got != value {
			t.Errorf("%s: %q, want %q", name, got, value)
		}
	}
	awaitOrFail(t, released, "release")
	select {
	case <-backend.stopped:
		t.Error("a backend that ended by itself was stopped")
	default:
	}
}

func TestSSEClientGoneStopsBackend(t *testing.T) {
	backend := newSSEFakeBackend("first")
	srv, _, released := sseServer(t, backend)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if line != "id: 1\n" {
		t.Fatalf("first line %q (%v)", line, err)
	}
	cancel() // the client goes away
	awaitOrFail(t, backend.stopped, "stop of the backend")
	awaitOrFail(t, released, "release")
}

func TestSSEKeepAlive(t *testing.T) {
	defer func(was time.Duration) { sseKeepAlive = was }(sseKeepAlive)
	sseKeepAlive = 20 * time.Millisecond
	backend := newSSEFakeBackend()
	srv, _, released := sseServer(t, backend)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewReader(resp.Body)
	for _, want := range []string{": keep-alive\n", "\n", ": keep-alive\n", "\n"} {
		if got, err := lines.ReadString('\n'); got != want {
			t.Fatalf("read %q (%v), want %q", got, err, want)
		}
	}
	resp.Body.Close()
	awaitOrFail(t, backend.stopped, "stop of the backend")
	awaitOrFail(t, released, "release")
}

// A client that reads nothing: once the socket's buffers are full, a
// write waits for the deadline, fails, and the backend is stopped.
func TestSSEClientThatDoesNotReadIsDropped(t *testing.T) {
	defer func(was time.Duration) { sseKeepAlive = was }(sseKeepAlive)
	sseKeepAlive = 100 * time.Millisecond
	backend := newSSEFakeBackend()
	backend.line = bytes.Repeat([]byte("x"), 64<<10)
	srv, _, released := sseServer(t, backend)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	awaitOrFail(t, backend.sendErr, "failed send")
	awaitOrFail(t, backend.stopped, "stop of the backend")
	awaitOrFail(t, released, "release")
}

func TestSSEShutdownStopsBackend(t *testing.T) {
	backend := newSSEFakeBackend("first")
	srv, h, released := sseServer(t, backend)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if line, err := bufio.NewReader(resp.Body).ReadString('\n'); line != "id: 1\n" {
		t.Fatalf("first line %q (%v)", line, err)
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	awaitOrFail(t, backend.stopped, "stop of the backend")
	awaitOrFail(t, released, "release")
}
