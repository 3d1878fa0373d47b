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

// numberedOut is a client that reads at once and records the messages it
// gets, each the decimal number of its place in the room's output. One
// sent with another number as its id in the room (--roomreplay) is
// recorded as -1.
type numberedOut struct {
	fakeOut
	got chan int
}

func (o *numberedOut) sendRoom(batches []*roomBatch) error {
	for _, b := range batches {
		for j := range b.messages {
			n, err := strconv.Atoi(string(b.data(j)))
			if err != nil || b.seq(j) != uint64(n) {
				n = -1
			}
			o.got <- n
		}
	}
	return nil
}

// replayRoom is a room with --roomreplay=n whose goroutines do not run:
// the test is its hub.
func replayRoom(n int) (*room, *numberedOut) {
	rm := &room{log: slog.New(slog.DiscardHandler), seats: map[string]*seat{},
		limits: roomLimits{queue: 1 << 20, slow: time.Minute},
		hub:    &roomHub{deps: roomDeps{protocol: plainRoom{}}},
		replay: newReplayRing[messageInBatch](n, 1<<20)}
	rm.running.Do(func() {})
	return rm, newNumberedOut()
}

func newNumberedOut() *numberedOut {
	return &numberedOut{got: make(chan int, 100000)}
}

// broadcast sends messages from up to to to everyone in one batch, as
// plainRoom.output does with lines read together.
func broadcast(rm *room, from, to int) {
	for i := from; i <= to; i++ {
		rm.broadcast(websocket.TextMessage, []byte(strconv.Itoa(i)), i < to)
	}
}

// expectRun reads messages from up to to from out, in order.
func expectRun(t *testing.T, out *numberedOut, from, to int) {
	t.Helper()
	for want := from; want <= to; want++ {
		if got := receive(t, out.got, "message "+strconv.Itoa(want)); got != want {
			t.Fatalf("got message %d, want %d (-1: numbered wrong)", got, want)
		}
	}
}

// queuedMessages counts the messages in a seat's queue.
func queuedMessages(st *seat) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for _, b := range st.queue {
		n += len(b.messages)
	}
	return n
}

func TestLateJoinerGetsTheLastNThenLive(t *testing.T) {
	rm, out := replayRoom(5)
	for i := 1; i <= 10; i++ {
		broadcast(rm, i, i)
	}
	st := newSeat(rm, "late")
	rm.seat(st, "", "")
	st.startOutput(nil, out, rm.log)
	broadcast(rm, 11, 11)
	expectRun(t, out, 6, 11)
}

// The replay's bound is in messages: of a batch that holds more than it
// keeps, a joiner is replayed the last ones only, from the start of a
// frame.
func TestReplayCutsABatchToTheMessagesItKeeps(t *testing.T) {
	rm, out := replayRoom(5)
	broadcast(rm, 1, 8)
	st := newSeat(rm, "late")
	rm.seat(st, "", "")
	st.mu.Lock()
	queue := st.queue
	st.mu.Unlock()
	var want []byte
	for i := 4; i <= 8; i++ {
		line := strconv.Itoa(i)
		want = append(appendFrameHeader(want, websocket.TextMessage, len(line)), line...)
	}
	if len(queue) != 1 || string(queue[0].frames) != string(want) || queue[0].payload != 5 {
		t.Fatalf("replay queued %d batches, the first framing %q; want one of messages 4 to 8, %q",
			len(queue), queue[0].frames, want)
	}
	st.startOutput(nil, out, rm.log)
	broadcast(rm, 9, 10)
	expectRun(t, out, 4, 10)
}

// Clients joining a room that broadcasts without pause each get an
// unbroken run of its messages: each once, whether by replay or live.
func TestLateJoinersOfABusyRoomMissNothingAndGetNothingTwice(t *testing.T) {
	const total, joiners = 5000, 20
	rm, _ := replayRoom(50)
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Batches of 1 to 7 messages, which the replay of 50 cuts.
		for i, size := 1, 1; i <= total; i, size = i+size, size%7+1 {
			last := min(i+size-1, total)
			broadcast(rm, i, last)
			if i <= 100 && last >= 100 {
				close(started)
			}
		}
	}()
	<-started
	outs := make([]*numberedOut, joiners)
	for j := range outs {
		outs[j] = newNumberedOut()
		st := newSeat(rm, "late"+strconv.Itoa(j))
		rm.seat(st, "", "")
		// The writer waits for startOutput.
		if queued := queuedMessages(st); queued < 50 {
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
	broadcast(rm, 1, 2)
	broadcast(rm, 3, 10) // one batch, which Last-Event-ID falls inside
	st := newSeat(rm, "back")
	st.after = 8
	rm.seat(st, "", "")
	st.startOutput(nil, out, rm.log)
	broadcast(rm, 11, 11)
	expectRun(t, out, 9, 11)
	for i, item := range rm.replay.snapshot() {
		kept := item.value.batch.seq(item.value.index)
		if item.seq != uint64(7+i) || kept != item.seq {
			t.Errorf("replay item %d is numbered %d (its batch says %d), want %d", i, item.seq, kept, 7+i)
		}
	}
}
