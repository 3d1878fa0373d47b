package libwebsocketd

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// seatWriteBytes is about the most a seat's writer sends in one go (at
// least one batch): what it sends is counted against --roomqueue until
// it is written, so the hub finds room again in steps of this size.
const seatWriteBytes = 256 << 10

// seat is one client's place in a room, and the backend of its session.
// The room's hub puts each batch of outgoing messages in the seat's queue,
// bounded by --roomqueue bytes; a goroutine of the seat's own writes the
// queue to the socket, all that is queued at once, and runs only while
// the queue holds something, so a quiet client costs no goroutine on this
// side.
type seat struct {
	room *room
	out  outbound // the client, once its session's pumps run (startOutput)
	id   string

	mu        sync.Mutex
	queue     []*roomBatch
	queued    int        // bytes in queue
	sending   int        // bytes the writer took from the queue and has not sent yet
	writing   bool       // the writer goroutine runs
	fullSince time.Time  // when the hub first found the queue full; zero while it has room
	closing   *closeNote // set once the seat is to close
	left      bool       // the client is gone: nothing more is sent
	stopped   bool       // the client's reading has ended, and the seat left
	// space wakes the room's hub, waiting for room in a full queue, once
	// the writer has sent some. Made when the queue is first found full
	// (by the hub, which alone receives): most clients never fill theirs.
	space chan struct{}

	// leaveCode and leaveReason are how the client's reading ended, for
	// the leave event; set on the goroutine that then calls stop.
	leaveCode   int
	leaveReason string
	outputOnce  sync.Once
	// after is the number of the last message an event stream's client
	// has (Last-Event-ID): the replay skips those up to it.
	after uint64
}

// closeNote is how a seat is to be closed: after what is queued, or at
// once (the queue dropped) for a client that is too slow.
type closeNote struct {
	code    int
	reason  string
	tooSlow bool // the queue was dropped; how the close ends is logged
	// deadline bounds the writes that are left: a client that does not
	// read must not hold its seat's goroutine and socket for ever.
	deadline time.Time
}

func newSeat(r *room, id string) *seat {
	return &seat{room: r, id: id}
}

// offer queues m unless the queue is full; a seat that is closing or
// whose client left takes everything and sends nothing.
func (st *seat) offer(m *roomBatch) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.left || st.closing != nil {
		return true
	}
	if held := st.queued + st.sending; held > 0 && held+m.size > st.room.limits.queue {
		if st.fullSince.IsZero() {
			st.fullSince = time.Now()
		}
		if st.space == nil {
			st.space = make(chan struct{}, 1)
		}
		return false
	}
	st.queue = append(st.queue, m)
	st.queued += m.size
	st.startWriterLocked()
	return true
}

// slowDeadline is when a full queue makes the client too slow.
func (st *seat) slowDeadline() time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.fullSince.Add(st.room.limits.slow)
}

// startWriterLocked starts the writer unless it runs, or the session's
// pumps do not run yet (startOutput starts it then).
func (st *seat) startWriterLocked() {
	if !st.writing && st.out != nil {
		st.writing = true
		go st.write()
	}
}

// write sends the queue, as much as it holds at a time, until it is
// empty, then, for a seat that is closing, the close frame.
func (st *seat) write() {
	var batches []*roomBatch
	for {
		var end func()
		batches, end = st.take(batches[:0])
		if end != nil {
			end()
			return
		}
		err := st.out.sendRoom(batches)
		clear(batches) // each may go once every queue it is in is sent
		st.sent()
		if err != nil {
			// The session closes the socket: its reading side ends,
			// and with it the seat.
			st.mu.Lock()
			st.left, st.queue, st.queued = true, nil, 0
			closing := st.closing
			st.mu.Unlock()
			if closing != nil && closing.tooSlow {
				st.logTooSlowEnd(err)
			}
		}
	}
}

// take moves the batches at the head of the queue, about seatWriteBytes
// of them, to batches. Once there is none, the writer is done, and end
// is what it does last.
func (st *seat) take(batches []*roomBatch) (_ []*roomBatch, end func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.left || len(st.queue) == 0 {
		switch {
		case st.closing != nil:
			note, left := *st.closing, st.left
			return batches, func() { st.finish(note, left) }
		case st.stopped:
			st.writing = false
			return batches, st.outputDone
		}
		st.writing = false
		return batches, func() {}
	}
	taken, n := 0, 0
	for n < len(st.queue) && (n == 0 || taken+st.queue[n].size <= seatWriteBytes) {
		taken += st.queue[n].size
		n++
	}
	batches = append(batches, st.queue[:n]...)
	clear(st.queue[:n])
	st.queue = st.queue[n:]
	if len(st.queue) == 0 {
		st.queue = nil // let the backing array go
	}
	st.queued -= taken
	st.sending = taken
	return batches, nil
}

// sent follows the writer's send of what it took: that room in the queue
// is free again.
func (st *seat) sent() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sending = 0
	if st.queued <= st.room.limits.queue/2 {
		st.fullSince = time.Time{} // the client keeps up again
	}
	st.wakeHubLocked()
}

// wakeHubLocked wakes the hub if it waits for room in the queue.
func (st *seat) wakeHubLocked() {
	select {
	case st.space <- struct{}{}: // a nil space (never full) takes nothing
	default:
	}
}

// finish ends a closing seat's output side with its close frame.
func (st *seat) finish(note closeNote, left bool) {
	if !left {
		err := st.out.close(note.code, note.reason)
		if note.tooSlow {
			st.logTooSlowEnd(err)
		}
	}
	st.outputDone()
}

// logTooSlowEnd says how closing a client that was too slow ended: with
// the close frame after the message that was being written to it, or
// with the connection cut, the close frame unsent and that message
// perhaps cut short (the error says why: most often the client took
// neither by the close's deadline). No close code is claimed for a
// client that never got one.
func (st *seat) logTooSlowEnd(err error) {
	if err == nil {
		st.room.log.Log(nil, LevelInfo, "room client too slow, closed with 1008", "client", st.id)
		return
	}
	st.room.log.Log(nil, LevelInfo, "room client too slow, dropped without a close frame",
		"client", st.id, "error", err)
}

// close has the seat closed with code and reason: after its queue, or at
// once with dropNow (the queue is dropped, and a write stuck on the client
// is given a deadline).
func (st *seat) close(code int, reason string, grace time.Duration, dropNow bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closing != nil || st.left {
		return
	}
	st.closing = &closeNote{code: code, reason: reason, tooSlow: dropNow, deadline: time.Now().Add(grace)}
	if dropNow {
		st.queue, st.queued = nil, 0
	}
	if st.out != nil {
		// A write under way may be stuck on a client that does not read.
		st.out.limitWrites(st.closing.deadline)
	}
	st.startWriterLocked()
}

func (st *seat) outputDone() {
	st.mu.Lock()
	out := st.out
	st.mu.Unlock()
	if out != nil {
		st.outputOnce.Do(func() { out.done(nil) })
	}
}

// The seat as a session's backend.

func (st *seat) input(codec, net.Conn, *slog.Logger) messageSink { return seatInput{st} }

// startOutput follows the start of the session's pumps: the seat's queue,
// filled since the seat was taken, starts to go out to out. Before, the
// writer could end the output side before the session counts its pumps.
func (st *seat) startOutput(_ codec, out outbound, _ *slog.Logger) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.out = out
	if st.closing != nil {
		out.limitWrites(st.closing.deadline)
	}
	if len(st.queue) > 0 || st.closing != nil {
		st.startWriterLocked()
	}
}

func (st *seat) errorOutput() *os.File { return nil }

func (st *seat) pid() int { return st.room.pid() }

// stop follows the end of the client's reading: the seat leaves the room.
// The output side ends here unless the writer is still at work.
func (st *seat) stop() {
	st.mu.Lock()
	if st.stopped {
		st.mu.Unlock()
		return
	}
	st.stopped, st.left, st.queue, st.queued = true, true, nil, 0
	writing := st.writing
	st.wakeHubLocked() // a hub waiting for room here goes on
	st.mu.Unlock()
	st.room.leave(st)
	if !writing {
		st.outputDone()
	}
}

// leaveStatus is the close code and reason the leave event reports: ours
// if the room closed the client, else the client's.
func (st *seat) leaveStatus() (int, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closing != nil {
		return st.closing.code, st.closing.reason
	}
	return st.leaveCode, st.leaveReason
}

func (st *seat) kill() { st.stop() }

// seatInput takes a client's messages to the room's process.
type seatInput struct{ st *seat }

func (in seatInput) write(message []byte, kind int) {
	in.st.room.fromClient(in.st, message, kind)
}

func (in seatInput) flush() error { return nil }

// finish notes how the client's reading ended, for the leave event.
func (in seatInput) finish(readErr error) {
	var closeErr *websocket.CloseError
	switch {
	case errors.As(readErr, &closeErr):
		in.st.leaveCode, in.st.leaveReason = closeErr.Code, closeErr.Text
	case errors.Is(readErr, websocket.ErrReadLimit):
		in.st.leaveCode, in.st.leaveReason = websocket.CloseMessageTooBig, "message too big"
	default:
		in.st.leaveCode, in.st.leaveReason = websocket.CloseAbnormalClosure, "connection lost"
	}
}

// writesPlainFrames reports whether a room client's connection sends its
// messages uncompressed, so that a room's frames, built once, can go to
// it as they are. Only a client that offered permessage-deflate to a
// --compress server may compress; a header that merely names it errs on
// the safe side (its messages then go through gorilla, one at a time).
func writesPlainFrames(compress bool, r *http.Request) bool {
	offers := strings.Join(r.Header.Values("Sec-WebSocket-Extensions"), ",")
	return !compress || !strings.Contains(offers, "permessage-deflate")
}
