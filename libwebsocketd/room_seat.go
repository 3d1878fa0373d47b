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

// seat is one client's place in a room, and the backend of its session.
// The room's hub puts each outgoing message in the seat's queue, bounded
// by --roomqueue bytes; a goroutine of the seat's own writes the queue to
// the socket, and runs only while the queue holds something, so a quiet
// client costs no goroutine on this side.
type seat struct {
	room *room
	out  outbound // the client, once its session's pumps run (startOutput)
	id   string

	mu        sync.Mutex
	queue     []roomMessage
	queued    int        // bytes in queue
	writing   bool       // the writer goroutine runs
	fullSince time.Time  // when the hub first found the queue full; zero while it has room
	closing   *closeNote // set once the seat is to close
	left      bool       // the client is gone: nothing more is sent
	stopped   bool       // the client's reading has ended, and the seat left
	space     chan struct{}

	// leaveCode and leaveReason are how the client's reading ended, for
	// the leave event; set on the goroutine that then calls stop.
	leaveCode   int
	leaveReason string
	outputOnce  sync.Once
	// after is the number of the last message an event stream's client
	// has (Last-Event-ID): the replay skips those up to it.
	after uint64
}

// roomMessage is one message for the clients, framed once for all of them.
type roomMessage struct {
	prepared *websocket.PreparedMessage
	kind     int    // websocket.TextMessage or BinaryMessage
	data     []byte // the message itself, shared with prepared: for an event stream (SSE)
	size     int    // what it holds in memory, as counted against --roomqueue
	seq      uint64 // its number in the room's replay (--roomreplay); 0: none
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
	return &seat{room: r, id: id, space: make(chan struct{}, 1)}
}

// offer queues m unless the queue is full; a seat that is closing or
// whose client left takes everything and sends nothing.
func (st *seat) offer(m roomMessage) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.left || st.closing != nil {
		return true
	}
	if st.queued > 0 && st.queued+m.size > st.room.limits.queue {
		if st.fullSince.IsZero() {
			st.fullSince = time.Now()
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

// write sends the queue until it is empty, then, for a seat that is
// closing, the close frame.
func (st *seat) write() {
	for {
		m, more, end := st.next()
		if end != nil {
			end()
			return
		}
		if err := st.out.sendPrepared(m, more); err != nil {
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

// next takes the next message from the queue. Once there is none, the
// writer is done, and end is what it does last.
func (st *seat) next() (m roomMessage, more bool, end func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.left || len(st.queue) == 0 {
		switch {
		case st.closing != nil:
			note, left := *st.closing, st.left
			return m, false, func() { st.finish(note, left) }
		case st.stopped:
			st.writing = false
			return m, false, st.outputDone
		}
		st.writing = false
		return m, false, func() {}
	}
	m = st.queue[0]
	st.queue[0] = roomMessage{}
	st.queue = st.queue[1:]
	if len(st.queue) == 0 {
		st.queue = nil // let the backing array go
	}
	st.queued -= m.size
	if st.queued <= st.room.limits.queue/2 {
		st.fullSince = time.Time{} // the client keeps up again
	}
	select {
	case st.space <- struct{}{}:
	default:
	}
	return m, len(st.queue) > 0, nil
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
	st.mu.Unlock()
	select {
	case st.space <- struct{}{}: // a hub waiting for room here goes on
	default:
	}
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

// sharePlainFrame has a room client that does not compress send the frame
// NewPreparedMessage builds up front. gorilla looks a prepared message's
// frames up by the connection's compression level even where it does not
// compress, and built that frame for level 0: at any other level each
// message would be framed a second time, and both copies held while
// queued. A client that offered permessage-deflate to a --compress server
// keeps its level; a header that merely names it errs on that side.
func sharePlainFrame(conn *websocket.Conn, compress bool, r *http.Request) {
	offers := strings.Join(r.Header.Values("Sec-WebSocket-Extensions"), ",")
	if compress && strings.Contains(offers, "permessage-deflate") {
		return
	}
	conn.SetCompressionLevel(0) // valid (flate.NoCompression), so no error
}
