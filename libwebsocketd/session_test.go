package libwebsocketd

import (
	"errors"
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

// The session's life against a fake backend: what the client sends
// reaches the backend's input, what the backend sends through the
// outbound port reaches the client, and either side ending ends both.

// fakeBackend serves a session from the test: it hands the test the
// session's outbound port and records the client's messages and stops.
type fakeBackend struct {
	outs     chan outbound
	messages chan string
	stopped  chan struct{}
	stopOnce sync.Once
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{outs: make(chan outbound, 1), messages: make(chan string, 16),
		stopped: make(chan struct{})}
}

func (f *fakeBackend) input(codec, net.Conn, *slog.Logger) messageSink { return fakeSink{f} }

func (f *fakeBackend) startOutput(_ codec, out outbound, _ *slog.Logger) { f.outs <- out }

func (f *fakeBackend) errorOutput() *os.File { return nil }

func (f *fakeBackend) stop() { f.stopOnce.Do(func() { close(f.stopped) }) }

func (f *fakeBackend) kill() { f.stop() }

func (f *fakeBackend) pid() int { return 0 }

type fakeSink struct{ f *fakeBackend }

func (s fakeSink) write(message []byte, kind int) { s.f.messages <- string(message) }
func (fakeSink) flush() error                     { return nil }
func (fakeSink) finish(error)                     {}

// openFakeSession serves one session with backend behind it and returns
// the client's end and a channel that gets the exit code release sees.
func openFakeSession(t *testing.T, backend *fakeBackend) (*websocket.Conn, chan int) {
	t.Helper()
	h, err := NewHandler(Config{Command: []string{"unused"}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := &upgradeWriter{ResponseWriter: w}
		conn, err := h.upgrader.Upgrade(up, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		h.clients.acquire() // as serveUpgrade does; the session gives it back
		h.openSession(conn, up.hijacked, h.log, backend, lineCodec{},
			func(code int) { released <- code })
	}))
	t.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	client.SetReadDeadline(time.Now().Add(10 * time.Second)) // a failure, not a hang
	return client, released
}

func receive[T any](t *testing.T, c chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

func TestSessionRelaysBothWaysThroughItsBackend(t *testing.T) {
	backend := newFakeBackend()
	client, released := openFakeSession(t, backend)
	out := receive(t, backend.outs, "outbound port")
	if err := client.WriteMessage(websocket.TextMessage, []byte("to the program")); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, backend.messages, "client message"); got != "to the program" {
		t.Fatalf("backend got %q", got)
	}
	if err := out.send(websocket.BinaryMessage, []byte{0, 1}, false); err != nil {
		t.Fatal(err)
	}
	kind, got, err := client.ReadMessage()
	if err != nil || kind != websocket.BinaryMessage || string(got) != "\x00\x01" {
		t.Fatalf("client got %d %q %v", kind, got, err)
	}
	// The backend ends: the client gets the close frame it calls for.
	out.done(&exitStatus{code: 4001, reason: "over", detail: "exit status 1"})
	_, _, err = client.ReadMessage()
	var closeErr *websocket.CloseError
	if !errors.As(err, &closeErr) || closeErr.Code != 4001 || closeErr.Text != "over" {
		t.Fatalf("client read %v, want close 4001 over", err)
	}
	client.Close()
	receive(t, backend.stopped, "stop once the client's side ended")
	receive(t, released, "release")
}

func TestSessionStopsItsBackendWhenTheClientLeaves(t *testing.T) {
	backend := newFakeBackend()
	client, released := openFakeSession(t, backend)
	out := receive(t, backend.outs, "outbound port")
	client.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	receive(t, backend.stopped, "stop after the client's close")
	select {
	case <-released:
		t.Fatal("released while the backend's output side still runs")
	default:
	}
	// Once the backend says its output is over, the session ends.
	out.done(&exitStatus{code: 1000, detail: "exit status 0"})
	receive(t, released, "release")
}

func TestSessionDropsSendsOnceTheClientIsGone(t *testing.T) {
	backend := newFakeBackend()
	client, released := openFakeSession(t, backend)
	out := receive(t, backend.outs, "outbound port")
	client.UnderlyingConn().Close() // gone without a close frame
	receive(t, backend.stopped, "stop after the connection broke")
	// Writes may still succeed into the kernel's buffer for a while; one
	// fails in the end, and from then on every send says the client is gone.
	var err error
	for range 1000 {
		if err = out.send(websocket.TextMessage, []byte(strings.Repeat("x", 64<<10)), false); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("sends to a closed connection kept succeeding")
	}
	if err := out.send(websocket.TextMessage, []byte("late"), false); !errors.Is(err, errClientGone) {
		t.Fatalf("a send after the failure: %v, want errClientGone", err)
	}
	out.done(nil)
	receive(t, released, "release")
}
