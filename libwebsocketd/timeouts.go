package libwebsocketd

import (
	"time"

	"github.com/gorilla/websocket"
)

// startTimers arms --idlems and --maxsessionms for a session. Each is a
// timer, not a goroutine: a quiet session costs no stack for them.
func (s *session) startTimers(idle, maxAge time.Duration) {
	a := s.acct
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
			s.closeFor(outcomeIdle, "idle timeout")
		})
		a.timers = append(a.timers, timer)
	}
	if maxAge > 0 {
		a.timers = append(a.timers, time.AfterFunc(maxAge, func() {
			s.closeFor(outcomeTimeLimit, "session time limit")
		}))
	}
}

// closeFor ends a session the server decided to end: a close frame 1000
// with the reason; the client's answer (or a second's wait for it) ends
// the reading side, which stops the child with the usual sequence.
func (s *session) closeFor(outcome int32, reason string) {
	s.acct.timersMu.Lock()
	over := s.acct.timers == nil // the session ended as the timer fired
	s.acct.timersMu.Unlock()
	if over {
		return
	}
	s.acct.ended(outcome)
	s.log.Info("closing: " + reason)
	s.sock.writeClose(websocket.CloseNormalClosure, reason)
	s.sock.awaitCloseReply()
}
