package libwebsocketd

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A room's seat against a fake outbound port: what it sends, and how it
// closes a client that does not keep up.

// fakeOut is a client as a backend sees it, recording what it is told.
// While hold is open, sends wait on it (a client that does not read).
type fakeOut struct {
	hold chan struct{}

	mu      sync.Mutex
	sent    []string
	calls   [][]string // the messages of each sendRoom, one slice per call
	limited bool
	closes  []int
	ended   chan *exitStatus
}

func newFakeOut() *fakeOut {
	return &fakeOut{hold: make(chan struct{}), ended: make(chan *exitStatus, 1)}
}

func (f *fakeOut) send(kind int, message []byte, more bool) error {
	<-f.hold
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, string(message))
	return nil
}

func (f *fakeOut) sendRoom(batches []*roomBatch) error {
	<-f.hold
	f.mu.Lock()
	defer f.mu.Unlock()
	var call []string
	for _, b := range batches {
		for i := range b.messages {
			call = append(call, string(b.data(i)))
		}
	}
	f.sent = append(f.sent, call...)
	f.calls = append(f.calls, call)
	return nil
}

func (f *fakeOut) limitWrites(time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited = true
}

func (f *fakeOut) close(code int, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes = append(f.closes, code)
	return nil
}

func (f *fakeOut) done(ended *exitStatus) { f.ended <- ended }

func TestSeatClosesAClientTooSlowWith1008AfterTheMessageUnderWay(t *testing.T) {
	rm := &room{log: slog.New(slog.DiscardHandler),
		limits: roomLimits{queue: 1, slow: time.Millisecond}}
	st := newSeat(rm, "slow")
	out := newFakeOut()
	st.startOutput(nil, out, rm.log)
	m := rm.prepare(websocket.TextMessage, []byte("x"))
	rm.deliver(m, []*seat{st}) // the writer takes it and waits on the client
	waitUntil(t, "the writer to take the first message", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.queue) == 0
	})
	rm.deliver(m, []*seat{st}) // queued
	rm.deliver(m, []*seat{st}) // the queue is full: too slow
	close(out.hold)            // the client reads again
	if ended := receive(t, out.ended, "the seat's output side to end"); ended != nil {
		t.Fatalf("a seat ends with %+v, want nil: the room lives on", ended)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.sent) != 1 || !out.limited || len(out.closes) != 1 || out.closes[0] != websocket.ClosePolicyViolation {
		t.Fatalf("sent %v, writes limited %v, closes %v; want the message under way, a limit and 1008",
			out.sent, out.limited, out.closes)
	}
}

func TestSeatSendsWhatWasQueuedBeforeItsSessionRan(t *testing.T) {
	rm := &room{log: slog.New(slog.DiscardHandler), limits: roomLimits{queue: 1 << 20, slow: time.Minute}}
	st := newSeat(rm, "early")
	m := rm.prepare(websocket.TextMessage, []byte("first"))
	rm.deliver(m, []*seat{st})
	rm.deliver(m, []*seat{st})
	st.close(websocket.CloseGoingAway, "bye", time.Minute, false)
	out := newFakeOut()
	close(out.hold)
	st.startOutput(nil, out, rm.log)
	receive(t, out.ended, "the seat's output side to end")
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.sent) != 2 || len(out.closes) != 1 || out.closes[0] != websocket.CloseGoingAway {
		t.Fatalf("sent %v, closes %v; want both messages, then 1001", out.sent, out.closes)
	}
}

// waitUntil polls cond, failing the test after a bound that only a broken
// seat reaches.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
