package libwebsocketd

import (
	"time"

	"github.com/gorilla/websocket"
)

// startTimers arms --idlems and --maxsessionms for a session, a WebSocket
// one or an event stream: when one fires, the outcome is recorded and
// closeFor ends the session with the reason. Each is a timer, not a
// goroutine: a quiet session costs no stack for them.
func (a *accounting) startTimers(idle, maxAge time.Duration, closeFor func(reason string)) {
	if a == nil {
		return
	}
	a.timersMu.Lock()
	defer a.timersMu.Unlock()
	if idle > 0 {
		var timer *time.Timer
		timer = time.AfterFunc(idle, func() {
			// Messages only note the time; the timer looks at it when it
			// fires and sleeps again for what is left of the idle time.
			quiet := a.quiet()
			if quiet < idle {
				a.timersMu.Lock()
				if a.timers != nil {
					timer.Reset(idle - quiet)
				}
				a.timersMu.Unlock()
				return
			}
			a.timedOut(outcomeIdle, "idle timeout", closeFor)
		})
		a.timers = append(a.timers, timer)
	}
	if maxAge > 0 {
		a.timers = append(a.timers, time.AfterFunc(maxAge, func() {
			a.timedOut(outcomeTimeLimit, "session time limit", closeFor)
		}))
	}
}

// timedOut follows a timer that fired, unless the session ended as it did.
func (a *accounting) timedOut(outcome int32, reason string, closeFor func(reason string)) {
	a.timersMu.Lock()
	over := a.timers == nil
	a.timersMu.Unlock()
	if over {
		return
	}
	a.ended(outcome)
	closeFor(reason)
}

// closeFor ends a session the server decided to end: a close frame 1000
// with the reason; the client's answer (or a second's wait for it) ends
// the reading side, which stops the child with the usual sequence.
func (s *session) closeFor(reason string) {
	s.log.Info("closing: " + reason)
	s.sock.writeClose(websocket.CloseNormalClosure, reason)
	s.sock.awaitCloseReply()
}
