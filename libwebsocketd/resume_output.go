package libwebsocketd

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// A resumable is its process's outbound port: the output goes to the
// attached session, if any, and is kept for a client coming back.

func (d *resumable) send(kind int, message []byte, more bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.kept.add(kind, message)
	if d.out != nil {
		d.out.send(kind, message, more) // a client gone: the message is kept all the same
		d.delivered = d.kept.next()
	}
	keepFrom := d.delivered
	if d.claimed {
		keepFrom = min(keepFrom, d.claimedFrom)
	}
	if !d.kept.trim(keepFrom) && !d.overflown {
		d.overflown = true
		d.log.Info("closing: output over --resumebuffer while the client was away")
		d.h.resumes.revokeCurrent(d)
		go d.proc.stop()
	}
	return nil
}

// sendRoom is a room's: a resumable serves no room, but would send the
// messages as they are.
func (d *resumable) sendRoom(batches []*roomBatch) error {
	for i, b := range batches {
		for j, m := range b.messages {
			more := i < len(batches)-1 || j < len(b.messages)-1
			if err := d.send(m.kind, b.data(j), more); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *resumable) limitWrites(by time.Time) {
	if out := d.attached(); out != nil {
		out.limitWrites(by)
	}
}

func (d *resumable) close(code int, reason string) error {
	if out := d.attached(); out != nil {
		return out.close(code, reason)
	}
	return errClientGone
}

func (d *resumable) attached() outbound {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out
}

// done follows the end of the process: the attached session ends with
// it; with none attached, the slots go back now, and a client coming
// back before its token expires gets the rest of the output and the end.
func (d *resumable) done(ended *exitStatus) {
	d.mu.Lock()
	d.ended = ended
	out := d.out
	giveBack := out == nil && !d.released
	if giveBack {
		d.released = true
		if d.tracked {
			d.tracked = false
			d.h.forget(d)
		}
	} else if out != nil {
		d.h.resumes.revokeCurrent(d)
	}
	d.mu.Unlock()
	if out != nil {
		out.done(ended)
	} else if giveBack {
		d.log.Debug("process ended while the client was away", "status", ended.detail)
		d.release(-1)
	}
}

// How a session's reading side ends decides whether its process is kept.
type leaving int

const (
	leaveStops      leaving = iota // the session's process is to stop
	leaveDetached                  // kept for the client's return; the session's output side is over
	leaveSuperseded                // the client is back on another connection already
)

// clientLeft follows the end of session out's reading side: a connection
// that dropped without a close frame detaches the process, which is kept
// for the client's return.
func (d *resumable) clientLeft(out outbound, dropped bool) leaving {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.out != out {
		return leaveSuperseded
	}
	if !dropped || d.ended != nil || d.overflown {
		return leaveStops
	}
	d.out = nil
	d.tracked = true
	if d.h.track(d) {
		d.shutdown() // the server is shutting down
		return leaveDetached
	}
	d.detachAfter(d.h.cfg.ResumeTimeout)
	return leaveDetached
}

// droppedWithoutClose reports whether the client's side of a resumable
// session ended by the connection dropping, with no close frame either
// way and no server-side reason to end (a timeout, a shutdown). False
// without --resumems.
func (s *session) droppedWithoutClose(readErr error) bool {
	if s.resume == nil || s.goingAway.Load() || s.closeSent.Load() {
		return false
	}
	if s.acct != nil && s.acct.outcome.Load() != outcomeUnknown {
		return false // a timer closed it
	}
	var closeErr *websocket.CloseError
	if errors.As(readErr, &closeErr) {
		return closeErr.Code == websocket.CloseAbnormalClosure // gorilla's word for EOF
	}
	var netErr net.Error
	return errors.Is(readErr, errClientHungUp) || errors.Is(readErr, net.ErrClosed) ||
		errors.Is(readErr, io.EOF) || errors.Is(readErr, io.ErrUnexpectedEOF) || errors.As(readErr, &netErr)
}

// keepProcess follows the end of the client's side, the socket closed:
// it reports whether the session's process lives on without it.
func (s *session) keepProcess(dropped bool) bool {
	if s.resume == nil {
		return false
	}
	switch s.resume.clientLeft(s, dropped) {
	case leaveDetached:
		s.exitDetail = "kept for the client's return (--resumems)"
		s.leftWhileRunning = false
		s.log.Info("connection dropped: the process is kept for the client's return")
		s.done(nil) // the session's output side is over
		return true
	case leaveSuperseded:
		return true
	}
	return false
}
