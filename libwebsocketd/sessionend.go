package libwebsocketd

import "time"

// What the DISCONNECT line tells: how the child ended, and how long the
// session lasted. Someone reading an access log wants to know whether a
// script failed (exit status 3), was killed (signal: killed), or was
// still busy when its client went away, without turning on debug.

// noteReadEnd is called by the stdin pump once the client's side has
// ended: if the child has not ended by then, the client left first.
func (s *session) noteReadEnd() {
	s.leftWhileRunning = !s.ended.Load()
}

// logDisconnect writes the DISCONNECT line. It runs after both pumps,
// when the child is reaped.
func (s *session) logDisconnect() {
	stoppedAt := ""
	if s.leftWhileRunning {
		stoppedAt = whyStopped(s.goingAway.Load(), s.acct)
	}
	what, fate := "process", processFate(s.exitDetail, stoppedAt)
	if s.exitService {
		what, fate = "connection", connectionFate(s.exitDetail, stoppedAt)
	}
	s.log.Log(nil, LevelAccess, "DISCONNECT", what, fate,
		"duration", time.Since(s.started).Round(time.Millisecond))
}

// whyStopped says what stopped a child still running: the server shutting
// down (goingAway), a timeout the accounting recorded, or the client.
func whyStopped(goingAway bool, acct *accounting) string {
	if goingAway {
		return "at server shutdown"
	}
	if acct != nil {
		switch acct.outcome.Load() {
		case outcomeIdle:
			return "at the idle timeout"
		case outcomeTimeLimit:
			return "at the session time limit"
		}
	}
	return "when the client left"
}

// processFate says how the child ended, in the words of os.ProcessState
// ("exit status 3", "signal: killed"), after what stopped it when it did
// not end by itself (stoppedAt, empty when it did).
func processFate(ended, stoppedAt string) string {
	if ended == "" {
		ended = "unknown"
	}
	if stoppedAt == "" {
		return ended
	}
	return "still running " + stoppedAt + ", then " + ended
}

// connectionFate says the same of a --connect connection: "closed by the
// service", or "still open when the client left, then closed by the
// service".
func connectionFate(ended, stoppedAt string) string {
	if stoppedAt == "" {
		return ended
	}
	return "still open " + stoppedAt + ", then " + ended
}
