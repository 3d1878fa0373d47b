package libwebsocketd

import (
	"net"
	"sync"
	"syscall"
	"time"
)

// A session's reading goroutine spends most of its life parked in
// gorilla's NextReader, waiting for a client that says nothing, and that
// costs a stack (4 KiB once it has read a message). In a room that is most
// of what a quiet client costs. So, where the shared watcher exists
// (watcher.go), the reader stops while nothing is read ahead, and the
// watcher starts it again once the client's socket is readable (a message,
// a pong, the close frame, or the connection's end).
//
// As on the output side (outputLinger), a reader that finds nothing read
// ahead first waits a little in a read of its own, with a deadline: input
// comes in bursts, and parking after each one costs an epoll_ctl, a thread
// switch and a new goroutine per burst (it halved the echo rate).
//
// Whatever else waits on that reader wakes it for good first (wake): a
// close reply or keep-alive deadline only fires in a read under way, and a
// socket closed under a parked reader would never be reported.

// inputLinger is how long a reader waits for more input before it parks.
const inputLinger = outputLinger

// idleWait parks a socket's reader in the shared watcher.
type idleWait struct {
	watcher *pipeWatcher
	conn    net.Conn // the socket, for its read deadline
	raw     syscall.RawConn
	resume  func() // the reader's loop, run again on a goroutine of its own
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

// newIdleWait returns nil (the reader never parks) where there is no
// shared watcher, or the connection is not a plain socket: a TLS
// connection may hold decrypted bytes that no readiness event announces.
func newIdleWait(conn net.Conn, resume func(), deadline func() time.Time) *idleWait {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w, err := sharedWatcher()
	if err != nil {
		return nil
	}
	return &idleWait{watcher: w, conn: conn, raw: raw, resume: resume, deadline: deadline}
}

func (iw *idleWait) setWatchID(id int32) { iw.id = id }

// park has the watcher wait for the socket. It reports false when the
// reader must go on reading (it was woken for good, or the socket is no
// longer there); on true, the caller's goroutine returns.
func (iw *idleWait) park() bool {
	if iw == nil {
		return false
	}
	iw.mu.Lock()
	defer iw.mu.Unlock()
	if iw.done {
		return false
	}
	var err error
	if iw.added {
		err = iw.watcher.rearm(iw.raw, iw.id)
	} else {
		err = iw.watcher.add(iw.raw, iw, true)
		iw.added = err == nil
	}
	if err != nil {
		iw.done = true
		return false
	}
	iw.parked = true
	iw.armOverdue()
	return true
}

// armOverdue wakes the reader at the keep-alive deadline, for the read
// that then fails the silent connection.
func (iw *idleWait) armOverdue() {
	if iw.deadline == nil {
		return
	}
	wait := time.Until(iw.deadline())
	if iw.overdue == nil {
		iw.overdue = time.AfterFunc(wait, iw.wake)
		return
	}
	iw.overdue.Reset(wait)
}

// ready runs on the watcher's goroutine: the socket is readable.
func (iw *idleWait) ready() {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	if iw.parked {
		iw.parked = false
		if iw.overdue != nil {
			iw.overdue.Stop()
		}
		go iw.resume()
	}
}

// wake ends the parking for good: a parked reader runs again, and from
// then on reads block as they would without a watcher. It takes the
// socket out of the watcher, so it must come before the socket is closed.
// Safe from any goroutine, repeatedly.
func (iw *idleWait) wake() {
	if iw == nil {
		return
	}
	iw.mu.Lock()
	defer iw.mu.Unlock()
	iw.done = true
	if iw.added {
		iw.watcher.remove(iw.raw, iw.id)
		iw.added = false
	}
	if iw.overdue != nil {
		iw.overdue.Stop()
	}
	if iw.parked {
		iw.parked = false
		go iw.resume()
	}
}

// startLinger gives the read that lingers its deadline: the linger, or the
// keep-alive's if that comes first. It reports false, and leaves the
// deadline alone, once the reader was woken for good.
func (iw *idleWait) startLinger() bool {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	if iw.done {
		return false
	}
	until := time.Now().Add(inputLinger)
	if iw.deadline != nil {
		until = minTime(until, iw.deadline())
	}
	iw.conn.SetReadDeadline(until)
	return true
}

// endLinger puts back the read deadline that holds outside the linger:
// the close reply's, the keep-alive's, or none.
func (iw *idleWait) endLinger() {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	switch {
	case !iw.closeBy.IsZero():
		iw.conn.SetReadDeadline(iw.closeBy)
	case iw.deadline != nil:
		iw.conn.SetReadDeadline(iw.deadline())
	default:
		iw.conn.SetReadDeadline(time.Time{})
	}
}

// awaitCloseReply wakes the reader for good with a deadline for the
// client's close reply, which a lingering read then cannot undo.
func (iw *idleWait) awaitCloseReply(by time.Time) {
	iw.mu.Lock()
	iw.closeBy = by
	iw.conn.SetReadDeadline(by)
	iw.mu.Unlock()
	iw.wake()
}

// keepAliveOverdue reports whether the keep-alive deadline has passed.
func (iw *idleWait) keepAliveOverdue() bool {
	return iw.deadline != nil && !time.Now().Before(iw.deadline())
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
