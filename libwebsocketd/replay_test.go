package libwebsocketd

import (
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func ringValues(r *replayRing[string]) []string {
	var values []string
	for _, it := range r.snapshot() {
		values = append(values, it.value)
	}
	return values
}

func TestReplayRingKeepsTheLastNInOrder(t *testing.T) {
	r := newReplayRing[string](3, 1<<20)
	for i := 1; i <= 10; i++ {
		r.add(uint64(i), 1, strconv.Itoa(i))
	}
	if got := ringValues(r); len(got) != 3 || got[0] != "8" || got[1] != "9" || got[2] != "10" {
		t.Fatalf("kept %v, want [8 9 10]", got)
	}
	if r.lastSeq() != 10 {
		t.Fatalf("last sequence number %d, want 10", r.lastSeq())
	}
}

func TestReplayRingKeepsWithinItsBytes(t *testing.T) {
	r := newReplayRing[string](100, 10)
	for _, s := range []string{"aaaa", "bbbb", "cccc"} {
		r.add(0, len(s), s)
	}
	if got := ringValues(r); len(got) != 2 || got[0] != "bbbb" || r.bytes != 8 {
		t.Fatalf("kept %v (%d bytes), want [bbbb cccc]", got, r.bytes)
	}
	// One message over the bound leaves nothing: older ones without it
	// would not be the latest.
	r.add(0, 11, "too big")
	if got := ringValues(r); len(got) != 0 || r.bytes != 0 {
		t.Fatalf("kept %v (%d bytes) after a message over the bound, want none", got, r.bytes)
	}
	r.add(0, 1, "x")
	if got := ringValues(r); len(got) != 1 || got[0] != "x" {
		t.Fatalf("kept %v, want [x]", got)
	}
}

func TestReplayRingOffIsNil(t *testing.T) {
	if r := newReplayRing[string](0, 1<<20); r != nil || r.snapshot() != nil || r.lastSeq() != 0 {
		t.Fatal("a ring of 0 messages must be nil, and nil must read as empty")
	}
}

// numberedOut is a client that reads at once and records which numbered
// message each prepared message is.
type numberedOut struct {
	fakeOut
	lock    *sync.Mutex // shared by the outs of one test, as is numbers
	numbers map[*websocket.PreparedMessage]int
	got     chan int
}

func (o *numberedOut) sendPrepared(m roomMessage, _ bool) error {
	o.lock.Lock()
	n := o.numbers[m.prepared]
	o.lock.Unlock()
	o.got <- n
	return nil
}

// replayRoom is a room with --roomreplay=n whose goroutines do not run:
// the test is its hub.
func replayRoom(n int) (*room, *numberedOut) {
	rm := &room{log: slog.New(slog.DiscardHandler), seats: map[string]*seat{},
		limits: roomLimits{queue: 1 << 20, slow: time.Minute},
		hub:    &roomHub{deps: roomDeps{protocol: plainRoom{}}},
		replay: newReplayRing[roomMessage](n, 1<<20)}
	rm.running.Do(func() {})
	return rm, newNumberedOut()
}

func newNumberedOut() *numberedOut {
	return &numberedOut{numbers: map[*websocket.PreparedMessage]int{}, got: make(chan int, 100000),
		lock: &sync.Mutex{}}
}

// broadcast sends message i to everyone, as plainRoom.output does.
func (o *numberedOut) broadcast(rm *room, i int) {
	m := rm.prepare(websocket.TextMessage, []byte(strconv.Itoa(i)))
	o.lock.Lock()
	o.numbers[m.prepared] = i
	o.lock.Unlock()
	seats := rm.everyone(&m)
	rm.deliver(m, seats)
}

func TestLateJoinerGetsTheLastNThenLive(t *testing.T) {
	rm, out := replayRoom(5)
	for i := 1; i <= 10; i++ {
		out.broadcast(rm, i)
	}
	st := newSeat(rm, "late")
	rm.seat(st, "", "")
	st.startOutput(nil, out, rm.log)
	out.broadcast(rm, 11)
	for want := 6; want <= 11; want++ {
		if got := receive(t, out.got, "message "+strconv.Itoa(want)); got != want {
			t.Fatalf("got message %d, want %d", got, want)
		}
	}
}

// Clients joining a room that broadcasts without pause each get an
// unbroken run of its messages: each once, whether by replay or live.
func TestLateJoinersOfABusyRoomMissNothingAndGetNothingTwice(t *testing.T) {
	const total, joiners = 5000, 20
	rm, _ := replayRoom(50)
	broadcaster := newNumberedOut()
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= total; i++ {
			broadcaster.broadcast(rm, i)
			if i == 100 {
				close(started)
			}
		}
	}()
	<-started
	outs := make([]*numberedOut, joiners)
	for j := range outs {
		outs[j] = newNumberedOut()
		outs[j].numbers, outs[j].lock = broadcaster.numbers, broadcaster.lock
		st := newSeat(rm, "late"+strconv.Itoa(j))
		rm.seat(st, "", "")
		st.mu.Lock()
		queued := len(st.queue) // the writer waits for startOutput
		st.mu.Unlock()
		if queued < 50 {
			t.Fatalf("joiner %d: %d messages queued at its seat, want the replay of 50 at least", j, queued)
		}
		st.startOutput(nil, outs[j], rm.log)
	}
	wg.Wait()
	for j, out := range outs {
		checkUnbrokenRun(t, j, out, total)
	}
}

// checkUnbrokenRun reads what a joiner got: numbers in a row up to total.
func checkUnbrokenRun(t *testing.T, joiner int, out *numberedOut, total int) {
	t.Helper()
	first := receive(t, out.got, "the first message")
	for want := first + 1; want <= total; want++ {
		if got := receive(t, out.got, "message "+strconv.Itoa(want)); got != want {
			t.Fatalf("joiner %d: got message %d after %d: a gap or a duplicate", joiner, got, want-1)
		}
	}
}

// A client back with Last-Event-ID (an event stream's) is replayed only
// what follows the id it had; every message to everyone carries its
// number in the room, the id it is sent with.
func TestReplaySkipsWhatTheClientHadAndNumbersTheMessages(t *testing.T) {
	rm, out := replayRoom(5)
	for i := 1; i <= 10; i++ {
		out.broadcast(rm, i)
	}
	st := newSeat(rm, "back")
	st.after = 8
	rm.seat(st, "", "")
	st.startOutput(nil, out, rm.log)
	out.broadcast(rm, 11)
	for want := 9; want <= 11; want++ {
		if got := receive(t, out.got, "message "+strconv.Itoa(want)); got != want {
			t.Fatalf("got message %d, want %d", got, want)
		}
	}
	for i, item := range rm.replay.snapshot() {
		if item.seq != uint64(7+i) || item.value.seq != item.seq {
			t.Errorf("replay item %d is numbered %d (message says %d), want %d", i, item.seq, item.value.seq, 7+i)
		}
	}
}
