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
	s.log.Log(nil, LevelAccess, "DISCONNECT", "process",
		processFate(s.exit.detail, s.leftWhileRunning, s.goingAway.Load()),
		"duration", time.Since(s.started).Round(time.Millisecond))
}

// processFate says how the child ended, in the words of os.ProcessState
// ("exit status 3", "signal: killed"), after what stopped it when it did
// not end by itself.
func processFate(ended string, leftWhileRunning, serverShutdown bool) string {
	if ended == "" {
		ended = "unknown"
	}
	switch {
	case !leftWhileRunning:
		return ended
	case serverShutdown:
		return "still running at server shutdown, then " + ended
	default:
		return "still running when the client left, then " + ended
	}
}
