package libwebsocketd

import (
	"log/slog"

	"github.com/gorilla/websocket"
)

// openSession runs the session of an upgraded connection, served by
// serve through the codec c: the one way a session opens, whether its
// backend is a process of its own or a seat in a room. release frees what
// the backend took, once the session is over, with the child's exit code
// (-1 when unknown or not counted).
func (h *Handler) openSession(conn *websocket.Conn, hj hijacked, log *slog.Logger, serve backend, c codec, release func(exitCode int)) {
	s := h.newSession(conn, hj, log, serve, c)
	h.attachAccounting(s)
	s.onClose = func() {
		release(s.acct.finish())
		if s.resume == nil { // a resumable's release gives the client's slot back
			h.clients.release()
		}
		h.forget(s)
	}
	draining := h.track(s)
	s.acct.startTimers(h.cfg.IdleTimeout, h.cfg.MaxSession, s.closeFor)
	s.run()
	if draining {
		s.shutdown() // the server began to shut down during the upgrade
	}
}

// newSession wraps an upgraded connection and what serves it.
func (h *Handler) newSession(conn *websocket.Conn, hj hijacked, log *slog.Logger, serve backend, c codec) *session {
	s := &session{log: log, serve: serve, codec: c, sock: newSocket(conn, hj),
		maxStderrLine: h.cfg.MaxLineSize}
	if seat, ok := serve.(resumeSeat); ok {
		s.resume = seat.resumable
	}
	s.sock.isControl = c.controlMessages()
	if h.cfg.PingInterval > 0 {
		s.sock.keepAlive = startKeepAlive(conn, h.cfg.PingInterval)
	}
	h.applyMessageSettings(conn, s.sock)
	// Parking is set up before the session is tracked: from then on a
	// shutdown may look at the socket from another goroutine.
	s.stdin = s.newStdinPump()
	s.sock.parkWith(s.stdin) // a quiet client costs no goroutine
	return s
}

// applyMessageSettings gives a new session's connection the per-message
// flags: the read limit and the compression level.
func (h *Handler) applyMessageSettings(conn *websocket.Conn, sock *socket) {
	limit := h.cfg.MaxFrameSize
	if h.cfg.Framed && (limit == 0 || limit > maxFramedLength) {
		limit = maxFramedLength // the most a header can announce
	}
	if limit > 0 {
		conn.SetReadLimit(limit)
		sock.check.limit = limit // gorilla's counts compressed bytes
	}
	if h.cfg.CompressLevel != 0 {
		conn.SetCompressionLevel(h.cfg.CompressLevel)
	}
}
