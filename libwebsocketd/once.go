package libwebsocketd

// exitCannotStart is --once's exit status when the session's process could
// not be started (the shell's "command not found").
const exitCannotStart = 127

// With --once (Config.Once) the handler serves one WebSocket session:
// the first upgrade that passes every check claims it, later ones get 503,
// and when it ends OnceDone reports its child's exit status. Plain HTTP
// requests (console, static files, CGI) do not count.

// claimOnce takes the one session; without --once it always succeeds.
func (h *Handler) claimOnce() bool {
	return !h.cfg.Once || h.onceClaimed.CompareAndSwap(false, true)
}

// unclaimOnce gives the session back when its upgrade failed.
func (h *Handler) unclaimOnce() {
	if h.cfg.Once {
		h.onceClaimed.Store(false)
	}
}

// onceEnded reports the session's exit status; with --once there is only
// ever one, and the channel has room for it.
func (h *Handler) onceEnded(code int) {
	if h.cfg.Once {
		h.onceDone <- code
	}
}

// OnceDone delivers the exit status of the child of the one session
// --once serves, when that session has ended.
func (h *Handler) OnceDone() <-chan int { return h.onceDone }
