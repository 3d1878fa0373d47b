package libwebsocketd

import (
	"sync"
	"syscall"
	"time"

	"github.com/websocketd/websocketd/internal/pipes"
)

// A session's reading goroutine spends most of its life parked in
// gorilla's NextReader, waiting for a client that says nothing, and that
// costs a stack (4 KiB once it has read a message). In a room that is most
// of what a quiet client costs. So, where the shared watcher exists
// (pipes.Watcher), the reader stops while nothing is read ahead, and the
// watcher starts it again once the client's socket is readable (a message,
// a pong, the close frame, or the connection's end).
//
// As on the output side (pipes.Linger), a reader that finds nothing read
// ahead first waits a little in a read of its own, with a deadline: input
// comes in bursts, and parking after each one costs an epoll_ctl, a thread
// switch and a new goroutine per burst (it halved the echo rate).
//
// Whatever else waits on that reader wakes it for good first (wake): a
// close reply or keep-alive deadline only fires in a read under way, and a
// socket closed under a parked reader would never be reported.
//
// This file is the watcher's side of parking; park_socket.go has the
// socket's (the linger, the control frames read ahead, the read buffer).

// inputLinger is how long a reader waits for more input before it parks.
const inputLinger = pipes.Linger

// readerPark parks a socket's reader in the shared watcher.
type readerPark struct {
	watcher *pipes.Watcher
	sock    *socket // what parks; its connection has the read deadline
	raw     syscall.RawConn
	// loop reads the socket, run again on a goroutine of its own. An
	// interface, not a func: a method value would cost each session an
	// allocation of its own.
	loop readerLoop
	// deadline is the keep-alive's: a parked reader is woken for it.
	deadline func() time.Time

	mu      sync.Mutex
	id      int32
	added   bool        // the socket is in the watcher's epoll set
	parked  bool        // the reader stopped, and resume has not run since
	done    bool        // reads block from now on: nothing parks again
	overdue *time.Timer // wakes a parked reader at the keep-alive deadline
	closeBy time.Time   // the deadline for the client's close reply, once set
}

// newReaderPark returns nil (the reader never parks) where there is no
// shared watcher, or the connection is not a plain socket: a TLS
// connection may hold decrypted bytes that no readiness event announces.
func newReaderPark(sock *socket, loop readerLoop, deadline func() time.Time) *readerPark {
	sc, ok := sock.wire.Conn.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w, err := pipes.SharedWatcher()
	if err != nil {
		return nil
	}
	return &readerPark{watcher: w, sock: sock, raw: raw, loop: loop, deadline: deadline}
}

// SetWatchID and Ready make a readerPark pipes.Watched.
func (rp *readerPark) SetWatchID(id int32) { rp.id = id }

// park has the watcher wait for the socket. It reports false when the
// reader must go on reading (it was woken for good, or the socket is no
// longer there); on true, the caller's goroutine returns.
func (rp *readerPark) park() bool {
	if rp == nil {
		return false
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.done {
		return false
	}
	var err error
	if rp.added {
		err = rp.watcher.Rearm(rp.raw, rp.id)
	} else {
		err = rp.watcher.Add(rp.raw, rp, true)
		rp.added = err == nil
	}
	if err != nil {
		rp.done = true
		return false
	}
	rp.parked = true
	rp.armOverdue()
	return true
}

// armOverdue wakes the reader at the keep-alive deadline, for the read
// that then fails the silent connection.
func (rp *readerPark) armOverdue() {
	if rp.deadline == nil {
		return
	}
	wait := time.Until(rp.deadline())
	if rp.overdue == nil {
		rp.overdue = time.AfterFunc(wait, rp.wake)
		return
	}
	rp.overdue.Reset(wait)
}

// Ready runs on the watcher's goroutine: the socket is readable.
func (rp *readerPark) Ready() {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.parked {
		rp.parked = false
		if rp.overdue != nil {
			rp.overdue.Stop()
		}
		go rp.sock.resumeReading(rp.loop)
	}
}

// wake ends the parking for good: a parked reader runs again, and from
// then on reads block as they would without a watcher. It takes the
// socket out of the watcher, so it must come before the socket is closed.
// Safe from any goroutine, repeatedly.
func (rp *readerPark) wake() {
	if rp == nil {
		return
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.done = true
	if rp.added {
		rp.watcher.Remove(rp.raw, rp.id)
		rp.added = false
	}
	if rp.overdue != nil {
		rp.overdue.Stop()
	}
	if rp.parked {
		rp.parked = false
		go rp.sock.resumeReading(rp.loop)
	}
}

// startLinger gives the read that lingers its deadline: the linger, or the
// keep-alive's if that comes first. It reports false, and leaves the
// deadline alone, once the reader was woken for good.
func (rp *readerPark) startLinger() bool {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.done {
		return false
	}
	until := time.Now().Add(inputLinger)
	if rp.deadline != nil {
		until = minTime(until, rp.deadline())
	}
	rp.sock.wire.Conn.SetReadDeadline(until)
	return true
}

// endLinger puts back the read deadline that holds outside the linger:
// the close reply's, the keep-alive's, or none.
func (rp *readerPark) endLinger() {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	switch {
	case !rp.closeBy.IsZero():
		rp.sock.wire.Conn.SetReadDeadline(rp.closeBy)
	case rp.deadline != nil:
		rp.sock.wire.Conn.SetReadDeadline(rp.deadline())
	default:
		rp.sock.wire.Conn.SetReadDeadline(time.Time{})
	}
}

// awaitCloseReply wakes the reader for good with a deadline for the
// client's close reply, which a lingering read then cannot undo.
func (rp *readerPark) awaitCloseReply(by time.Time) {
	rp.mu.Lock()
	rp.closeBy = by
	rp.sock.wire.Conn.SetReadDeadline(by)
	rp.mu.Unlock()
	rp.wake()
}

// keepAliveOverdue reports whether the keep-alive deadline has passed.
func (rp *readerPark) keepAliveOverdue() bool {
	return rp.deadline != nil && !time.Now().Before(rp.deadline())
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
