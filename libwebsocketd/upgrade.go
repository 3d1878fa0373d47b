package libwebsocketd

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// serveUpgrade turns a WebSocket request into a session. Everything that
// can refuse the request (origin 403, script 404 or 403, subprotocol 400,
// forks limit 429) is decided before the upgrade, so a refused client
// gets a plain HTTP answer and no process is ever started for it.
func (h *Handler) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	if err := h.checkOrigin(r); err != nil {
		h.refuse(w, r, http.StatusForbidden, err.Error())
		return
	}
	target, status, err := h.resolveCommand(r)
	if err != nil {
		h.refuse(w, r, status, err.Error())
		return
	}
	protocol, err := h.chooseSubprotocol(r)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if !h.clients.acquire() {
		h.refuse(w, r, http.StatusTooManyRequests, "too many connections (--maxclients)")
		return
	}
	if h.cfg.Room != "" {
		h.serveRoomUpgrade(w, r, target, protocol) // releases the client's slot on every path
		return
	}
	if !h.forks.acquire() {
		h.clients.release()
		h.refuse(w, r, http.StatusTooManyRequests, "too many connections (--maxforks)")
		return
	}
	if !h.claimOnce() {
		h.forks.release()
		h.clients.release()
		h.refuse(w, r, http.StatusServiceUnavailable, "the one session is served already (--once)")
		return
	}
	up := &upgradeWriter{ResponseWriter: w}
	conn, err := h.upgrader.Upgrade(up, r, h.upgradeHeaders(protocol))
	if err != nil {
		h.forks.release()
		h.unclaimOnce()
		h.upgradeFailed(r, err)
		return
	}
	answeredUpgrade(w)
	h.startSession(conn, up.hijacked, r, target)
}

// upgradeFailed follows an upgrade that gorilla refused: it has answered
// the client already.
func (h *Handler) upgradeFailed(r *http.Request, err error) {
	h.clients.release()
	h.log.Log(r.Context(), LevelAccess, "upgrade failed", "category", "http",
		"url", requestURL(r), "remote", r.RemoteAddr, "error", err)
}

// upgradeHeaders are the 101's extra headers. gorilla answers with the
// subprotocol found there, as its Upgrader.Subprotocols is not set.
func (h *Handler) upgradeHeaders(protocol string) http.Header {
	headers := http.Header{}
	addHeaders(headers, h.cfg.Headers)
	addHeaders(headers, h.cfg.HeadersWS)
	if protocol != "" {
		headers.Set("Sec-WebSocket-Protocol", protocol)
	}
	return headers
}

func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, why string) {
	h.log.Log(r.Context(), LevelAccess, "refused: "+why, "category", "http",
		"url", requestURL(r), "remote", r.RemoteAddr, "status", status)
	http.Error(w, http.StatusText(status), status)
}

// startSession starts the process for an upgraded connection. The forks
// slot taken for it is released when the session ends, on every path.
func (h *Handler) startSession(conn *websocket.Conn, hj hijacked, r *http.Request, target commandTarget) {
	id := rand.Text()
	log := h.sessionLog(r, id, target.argv)
	info := requestEnv{ScriptName: target.scriptName, PathInfo: target.pathInfo,
		ID: id, RemoteHost: h.remoteHost(r), Version: h.cfg.Version,
		Protocol: conn.Subprotocol()}
	env := buildEnv(r, info, h.cfg.PassEnv, h.cfg.Environ)
	tty := h.ttySpec(r)
	if tty.mode == ttyTerminal {
		env = append(env, "TERM=xterm-256color")
	}
	proc, err := startProcess(target.argv, env, target.dir, baseStopGrace+h.cfg.CloseGrace, tty)
	if err != nil {
		log.Error("cannot start process", "error", explainStartError(target.argv[0], target.dir, err))
		conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "cannot start process"),
			time.Now().Add(controlWriteTimeout))
		conn.Close()
		h.forks.release()
		h.clients.release()
		h.onceEnded(exitCannotStart)
		return
	}
	h.cfg.Metrics.processStarted()
	proc.inputLines = !h.cfg.Binary
	proc.inputFramed = h.cfg.Framed
	s := h.newSession(conn, hj, log.With("pid", proc.pid()), proc)
	if tty.mode == ttyTerminal {
		s.sock.isControl = isTerminalControl
	}
	h.attachOps(s)
	s.onClose = func() {
		code := s.ops.finish()
		h.forks.release()
		h.clients.release()
		h.forget(s)
		h.onceEnded(code)
	}
	draining := h.track(s)
	s.startTimers(h.cfg.IdleTimeout, h.cfg.MaxSession)
	s.run()
	if draining {
		s.shutdown() // the server began to shut down during the upgrade
	}
}

// sessionLog is the logger of one connection's session.
func (h *Handler) sessionLog(r *http.Request, id string, argv []string) *slog.Logger {
	return h.log.With("category", "session", "url", requestURL(r), "id", id,
		"remote", r.RemoteAddr, "command", strings.Join(argv, " "),
		"origin", r.Header.Get("Origin"))
}

// newSession wraps an upgraded connection and what serves it.
func (h *Handler) newSession(conn *websocket.Conn, hj hijacked, log *slog.Logger, serve backend) *session {
	s := &session{log: log, serve: serve, binary: h.cfg.Binary, maxLineSize: h.cfg.MaxLineSize,
		passStderr: h.cfg.PassStderr, sock: newSocket(conn, h.cfg.Binary, hj),
		stderrDone: make(chan struct{})}
	if h.cfg.PingInterval > 0 {
		s.sock.keepAlive = startKeepAlive(conn, h.cfg.PingInterval)
	}
	h.applyMessageSettings(s, conn)
	// Parking is set up before the session is tracked: from then on a
	// shutdown may look at the socket from another goroutine.
	s.stdin = s.newStdinPump()
	s.sock.parkWith(s.stdin.run) // a quiet client costs no goroutine
	return s
}

// applyMessageSettings gives a new session's connection the per-message
// flags: the read limit, the compression level and --framed.
func (h *Handler) applyMessageSettings(s *session, conn *websocket.Conn) {
	limit := h.cfg.MaxFrameSize
	if h.cfg.Framed {
		s.framed = &framedMode{}
		if limit == 0 || limit > maxFramedLength {
			limit = maxFramedLength // the most a header can announce
		}
	}
	if limit > 0 {
		conn.SetReadLimit(limit)
		s.sock.check.limit = limit // gorilla's counts compressed bytes
	}
	if h.cfg.CompressLevel != 0 {
		conn.SetCompressionLevel(h.cfg.CompressLevel)
	}
}

// ttySpec says how a new child's streams are wired, and with --terminal
// its first window size, from ?cols=&rows=.
func (h *Handler) ttySpec(r *http.Request) ttySpec {
	spec := defaultTTYSize
	switch {
	case h.cfg.Terminal:
		spec.mode = ttyTerminal
		spec.cols, spec.rows = terminalSize(r.URL.Query())
	case h.cfg.PTY:
		spec.mode = ttyOutput
	}
	return spec
}
