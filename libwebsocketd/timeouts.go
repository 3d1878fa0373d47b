package libwebsocketd

import (
	"time"

	"github.com/gorilla/websocket"
)

// startTimers arms --idlems and --maxsessionms for a session. Each is a
// timer, not a goroutine: a quiet session costs no stack for them.
func (s *session) startTimers(idle, maxAge time.Duration) {
	o := s.ops
	if o == nil {
		return
	}
	o.timersMu.Lock()
	defer o.timersMu.Unlock()
	if idle > 0 {
		var timer *time.Timer
		timer = time.AfterFunc(idle, func() {
			// Messages only note the time; the timer looks at it when it
			// fires and sleeps again for what is left of the idle time.
			quiet := o.quiet()
			if quiet < idle {
				o.timersMu.Lock()
				if o.timers != nil {
					timer.Reset(idle - quiet)
				}
				o.timersMu.Unlock()
				return
			}
			s.closeFor(outcomeIdle, "idle timeout")
		})
		o.timers = append(o.timers, timer)
	}
	if maxAge > 0 {
		o.timers = append(o.timers, time.AfterFunc(maxAge, func() {
			s.closeFor(outcomeTimeLimit, "session time limit")
		}))
	}
}

// closeFor ends a session the server decided to end: a close frame 1000
// with the reason; the client's answer (or a second's wait for it) ends
// the reading side, which stops the child with the usual sequence.
func (s *session) closeFor(outcome int32, reason string) {
	s.ops.timersMu.Lock()
	over := s.ops.timers == nil // the session ended as the timer fired
	s.ops.timersMu.Unlock()
	if over {
		return
	}
	s.ops.ended(outcome)
	s.log.Info("closing: " + reason)
	s.sock.writeClose(websocket.CloseNormalClosure, reason)
	s.sock.awaitCloseReply()
}
