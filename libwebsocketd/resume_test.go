package libwebsocketd

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The life of a resumable process against a fake backend: attached,
// detached by a drop, kept, attached again; and each way it ends.

// resumeHarness serves, at /, a resumable session on backend to the
// first client, and resumes to any later one with a token.
type resumeHarness struct {
	t        *testing.T
	h        *Handler
	backend  *fakeBackend
	srv      *httptest.Server
	released chan int
	out      outbound // the backend's port: the resumable
}

func newResumeHarness(t *testing.T, cfg Config) *resumeHarness {
	t.Helper()
	cfg.Command = []string{"unused"}
	h, err := NewHandler(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	rh := &resumeHarness{t: t, h: h, backend: newFakeBackend(), released: make(chan int, 2)}
	rh.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseResumeQuery(r.URL.Query())
		if err != nil || q.token != "" {
			h.serveUpgrade(w, r) // refusals and resumes, as a server answers them
			return
		}
		up := &upgradeWriter{ResponseWriter: w}
		conn, err := h.upgrader.Upgrade(up, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		h.clients.acquire() // as serveUpgrade does; the process's end gives it back
		seat := h.newResumable(rh.backend, lineCodec{}, r.URL.Path, h.log, func(code int) {
			h.clients.release()
			rh.released <- code
		})
		h.openSession(conn, up.hijacked, h.log, seat, lineCodec{}, seat.connectionEnded)
	}))
	t.Cleanup(rh.srv.Close)
	return rh
}

// connect opens the first session and reads its token.
func (rh *resumeHarness) connect() (*websocket.Conn, string) {
	rh.t.Helper()
	conn := rh.dial("/?resume=1")
	rh.out = receive(rh.t, rh.backend.outs, "outbound port")
	return conn, readResumeToken(rh.t, conn)
}

func (rh *resumeHarness) dial(target string) *websocket.Conn {
	rh.t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(rh.srv.URL, "http")+target, nil)
	if err != nil {
		rh.t.Fatalf("dial %s: %v (%v)", target, err, resp)
	}
	rh.t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // a failure, not a hang
	return conn
}

// resume comes back with token, having received messages.
func (rh *resumeHarness) resume(token string, received int) (*websocket.Conn, string) {
	rh.t.Helper()
	conn := rh.dial(fmt.Sprintf("/?resume=%s&received=%d", url.QueryEscape(token), received))
	return conn, readResumeToken(rh.t, conn)
}

func (rh *resumeHarness) resumeStatus(token string, received int) int {
	rh.t.Helper()
	target := fmt.Sprintf("/?resume=%s&received=%d", url.QueryEscape(token), received)
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(rh.srv.URL, "http")+target, nil)
	if err == nil {
		conn.Close()
		return http.StatusSwitchingProtocols
	}
	return resp.StatusCode
}

// awaitDetached waits until the process is kept with no session attached.
func (rh *resumeHarness) awaitDetached() {
	rh.t.Helper()
	d := rh.out.(*resumable)
	deadline := time.Now().Add(10 * time.Second)
	for d.attached() != nil {
		if time.Now().After(deadline) {
			rh.t.Fatal("the process was not detached")
		}
		time.Sleep(time.Millisecond) // polling another goroutine's state
	}
}

func readResumeToken(t *testing.T, conn *websocket.Conn) string {
	t.Helper()
	kind, message, err := conn.ReadMessage()
	var first struct{ Resume string }
	if err != nil || kind != websocket.TextMessage || json.Unmarshal(message, &first) != nil || first.Resume == "" {
		t.Fatalf("first message %q (%v), want the token", message, err)
	}
	return first.Resume
}

func expectMessages(t *testing.T, conn *websocket.Conn, want ...string) {
	t.Helper()
	for _, w := range want {
		_, got, err := conn.ReadMessage()
		if err != nil || string(got) != w {
			t.Fatalf("got %q (%v), want %q", got, err, w)
		}
	}
}

// drop ends the client's connection without a close frame.
func drop(conn *websocket.Conn) { conn.UnderlyingConn().Close() }

func TestResumableKeepsItsProcessAcrossADrop(t *testing.T) {
	rh := newResumeHarness(t, Config{ResumeTimeout: time.Minute})
	conn, token := rh.connect()
	rh.out.send(websocket.TextMessage, []byte("one"), false)
	rh.out.send(websocket.TextMessage, []byte("two"), false)
	expectMessages(t, conn, "one") // "two" is as good as lost in the cut
	drop(conn)
	rh.awaitDetached()
	rh.out.send(websocket.TextMessage, []byte("three"), false) // while away: kept
	select {
	case <-rh.backend.stopped:
		t.Fatal("the process was stopped at a drop")
	default:
	}
	conn, next := rh.resume(token, 1)
	if next == token {
		t.Fatal("the token was not renewed")
	}
	expectMessages(t, conn, "two", "three")
	rh.out.send(websocket.TextMessage, []byte("four"), false)
	expectMessages(t, conn, "four")
	conn.WriteMessage(websocket.TextMessage, []byte("typed"))
	if got := receive(t, rh.backend.messages, "client message"); got != "typed" {
		t.Fatalf("the process got %q", got)
	}
	if status := rh.resumeStatus(token, 0); status != http.StatusNotFound {
		t.Fatalf("a used token got %d, want 404", status)
	}
	// A close frame ends it all, as without --resumems.
	conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	receive(t, rh.backend.stopped, "stop at the close frame")
	rh.out.done(&exitStatus{code: 1000, detail: "exit status 0"})
	receive(t, rh.released, "release")
	if status := rh.resumeStatus(next, 4); status != http.StatusNotFound {
		t.Fatalf("an ended process's token got %d, want 404", status)
	}
	if rh.h.clients.live.Load() != 0 {
		t.Fatalf("%d client slots still taken", rh.h.clients.live.Load())
	}
}

func TestResumableStopsWhenTheClientDoesNotComeBack(t *testing.T) {
	rh := newResumeHarness(t, Config{ResumeTimeout: time.Millisecond})
	conn, token := rh.connect()
	drop(conn)
	receive(t, rh.backend.stopped, "stop at the expiry")
	rh.out.done(&exitStatus{code: 1011, detail: "signal: interrupt"})
	receive(t, rh.released, "release")
	if status := rh.resumeStatus(token, 0); status != http.StatusNotFound {
		t.Fatalf("an expired token got %d, want 404", status)
	}
}

func TestResumableStopsWhenItsOutputOutgrowsTheBuffer(t *testing.T) {
	rh := newResumeHarness(t, Config{ResumeTimeout: time.Minute, ResumeBuffer: 1000})
	conn, token := rh.connect()
	drop(conn)
	rh.awaitDetached()
	for range 20 {
		rh.out.send(websocket.TextMessage, make([]byte, 100), false)
	}
	receive(t, rh.backend.stopped, "stop at the overflow")
	if status := rh.resumeStatus(token, 0); status != http.StatusNotFound {
		t.Fatalf("an overflown session's token got %d, want 404", status)
	}
	rh.out.done(&exitStatus{code: 1011, detail: "signal: interrupt"})
	receive(t, rh.released, "release")
}

func TestResumableEndedWhileAwayGivesTheRestAndTheEnd(t *testing.T) {
	rh := newResumeHarness(t, Config{ResumeTimeout: time.Minute})
	conn, token := rh.connect()
	drop(conn)
	rh.awaitDetached()
	rh.out.send(websocket.TextMessage, []byte("last words"), false)
	rh.out.done(&exitStatus{code: 4003, reason: "bye", detail: "exit status 3"})
	receive(t, rh.released, "release once the process ended")
	conn, _ = rh.resume(token, 0)
	expectMessages(t, conn, "last words")
	_, _, err := conn.ReadMessage()
	var closeErr *websocket.CloseError
	if !errors.As(err, &closeErr) || closeErr.Code != 4003 {
		t.Fatalf("after the rest: %v, want close 4003", err)
	}
	select {
	case code := <-rh.released:
		t.Fatalf("released twice (%d)", code)
	default:
	}
}

func TestResumableTakenOverByAReturningClient(t *testing.T) {
	rh := newResumeHarness(t, Config{ResumeTimeout: time.Minute})
	old, token := rh.connect()
	rh.out.send(websocket.TextMessage, []byte("one"), false)
	expectMessages(t, old, "one")
	// The server has not seen the old connection drop: the client is back.
	conn, _ := rh.resume(token, 0)
	expectMessages(t, conn, "one")
	_, _, err := old.ReadMessage()
	var closeErr *websocket.CloseError
	if !errors.As(err, &closeErr) || closeErr.Code != websocket.CloseGoingAway {
		t.Fatalf("the old connection read %v, want close 1001", err)
	}
	rh.out.send(websocket.TextMessage, []byte("two"), false)
	expectMessages(t, conn, "two")
	select {
	case <-rh.backend.stopped:
		t.Fatal("the process was stopped when the old connection ended")
	default:
	}
}

func TestResumeRefusesWhatItCannotServe(t *testing.T) {
	rh := newResumeHarness(t, Config{ResumeTimeout: time.Minute, ResumeBuffer: 200})
	_, token := rh.connect()
	for range 5 {
		rh.out.send(websocket.TextMessage, make([]byte, 100), false)
	}
	// The client says it has 0: what it misses is no longer kept.
	if status := rh.resumeStatus(token, 0); status != http.StatusNotFound {
		t.Fatalf("a resume past what is kept got %d, want 404", status)
	}
	receive(t, rh.backend.stopped, "stop: the client cannot get its output")
}

func TestKeptOutputTrimsOnlyWhatWasDelivered(t *testing.T) {
	k := keptOutput{limit: 3 * (keptOverhead + 1)}
	for _, m := range []string{"a", "b", "c", "d"} {
		k.add(websocket.TextMessage, []byte(m))
	}
	if k.trim(0) {
		t.Fatal("fits with nothing delivered, over the limit")
	}
	if !k.trim(2) || k.first != 1 || k.next() != 4 {
		t.Fatalf("after trim(2): first %d, next %d", k.first, k.next())
	}
	if _, ok := k.since(0); ok {
		t.Fatal("since a dropped message")
	}
	if _, ok := k.since(5); ok {
		t.Fatal("since a message not yet written")
	}
	if got, ok := k.since(2); !ok || len(got) != 2 || string(got[0].data) != "c" {
		t.Fatalf("since(2) = %v %v", got, ok)
	}
}

func TestResumeTokensAreSingleUseAndBoundToAPath(t *testing.T) {
	tokens := newResumeTokens()
	d := &resumable{path: "/a"}
	first := tokens.issue(d)
	if len(first) < 26 {
		t.Fatalf("token %q: under 128 bits", first)
	}
	if tokens.take(first, "/b") != nil {
		t.Fatal("taken on another path")
	}
	second := tokens.issue(d)
	if tokens.take(first, "/a") != nil {
		t.Fatal("an earlier token still good")
	}
	key := tokens.current(d)
	if tokens.take(second, "/a") != d || tokens.take(second, "/a") != nil {
		t.Fatal("a token not good exactly once")
	}
	if tokens.revoke(d, key) {
		t.Fatal("an expiry won over the resume that took the token")
	}
}

func TestParseResumeQuery(t *testing.T) {
	for query, want := range map[string]resumeQuery{
		"":                       {},
		"resume=1":               {wanted: true},
		"resume=T&received=7":    {token: "T", received: 7},
		"resume=T&received=0&x=": {token: "T"},
	} {
		q, _ := url.ParseQuery(query)
		if got, err := parseResumeQuery(q); err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", query, got, err, want)
		}
	}
	for _, query := range []string{"resume=T", "resume=T&received=-1", "resume=T&received=1e3", "resume=T&received=99999999999999999999"} {
		q, _ := url.ParseQuery(query)
		if _, err := parseResumeQuery(q); err == nil {
			t.Errorf("%q accepted", query)
		}
	}
}

// FuzzResumeQuery: any query either asks nothing, asks for a resumable
// session, or names a token with a count; never a token without one.
func FuzzResumeQuery(f *testing.F) {
	for _, seed := range []string{"", "resume=1", "resume=T&received=7", "resume=&received=1",
		"resume=T", "resume=T&received=-1", "resume=%00&received=18446744073709551615"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		values, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		q, err := parseResumeQuery(values)
		if err != nil {
			if q != (resumeQuery{}) {
				t.Fatalf("%q: refused with %+v", query, q)
			}
			return
		}
		if q.wanted && q.token != "" {
			t.Fatalf("%q: both a new session and a token", query)
		}
		if q.token != "" && q.token != values.Get("resume") {
			t.Fatalf("%q: token %q", query, q.token)
		}
	})
}
