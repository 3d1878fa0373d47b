package libwebsocketd

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/child"
)

// serveUpgrade turns a WebSocket request into a session. Everything that
// can refuse the request (origin 403, script 404 or 403, subprotocol 400,
// forks limit 429) is decided before the upgrade, so a refused client
// gets a plain HTTP answer and no process is ever started for it.
func (h *Handler) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	resume, err := h.resumeRequested(r)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if resume.token != "" {
		h.serveResume(w, r, resume)
		return
	}
	target, ok := h.admit(w, r)
	if !ok {
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
	if !h.takeProcessSlots(w, r) {
		return
	}
	if h.cfg.Connect != "" {
		h.serveBridgeUpgrade(w, r, protocol) // releases the slots on every path
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
	up.plainFrames = writesPlainFrames(h.cfg.Compress, r) // the output is framed past gorilla
	h.startSession(conn, up.hijacked, r, target, resume.wanted)
}

// admit makes the first checks of a request for a program, a WebSocket
// upgrade or an event stream: its origin, and the program its URL names.
// It answers a request that fails them.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request) (commandTarget, bool) {
	if err := h.checkOrigin(r); err != nil {
		h.refuse(w, r, http.StatusForbidden, err.Error())
		return commandTarget{}, false
	}
	target, status, err := h.resolveCommand(r)
	if err != nil {
		h.refuse(w, r, status, err.Error())
		return commandTarget{}, false
	}
	return target, true
}

// takeProcessSlots takes the --maxforks slot and the --once claim of a
// process of its own (or a --connect connection), or refuses r and
// releases the client's slot.
func (h *Handler) takeProcessSlots(w http.ResponseWriter, r *http.Request) bool {
	if !h.forks.acquire() {
		h.clients.release()
		h.refuse(w, r, http.StatusTooManyRequests, "too many connections (--maxforks)")
		return false
	}
	if !h.claimOnce() {
		h.forks.release()
		h.clients.release()
		h.refuse(w, r, http.StatusServiceUnavailable, "the one session is served already (--once)")
		return false
	}
	return true
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
	body := http.StatusText(status)
	if status == http.StatusBadRequest {
		body += ": " + why // the client's own request is at fault: say how
	}
	http.Error(w, body, status)
}

// startSession starts the process for an upgraded connection. The forks
// slot taken for it is released when the session ends, on every path.
func (h *Handler) startSession(conn *websocket.Conn, hj hijacked, r *http.Request, target commandTarget, resumable bool) {
	id := rand.Text()
	label := h.newSessionLabel(r, id, target.argv)
	tty := h.ttySpec(r)
	env := h.childEnv(r, target, id, conn.Subprotocol())
	if tty.Mode == child.TerminalTTY {
		env = append(env, "TERM=xterm-256color")
	}
	proc, err := h.startProcess(target, env, tty)
	if err != nil {
		h.startFailed(label.logger(), target, err)
		conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "cannot start process"),
			time.Now().Add(controlWriteTimeout))
		conn.Close()
		return
	}
	label.pid = proc.Pid()
	log := label.logger()
	c := chooseCodec(codecOptions{binary: h.cfg.Binary, framed: h.cfg.Framed,
		passStderr: h.cfg.PassStderr, terminal: proc.Terminal(), maxLine: h.cfg.MaxLineSize, log: log})
	if resumable {
		seat := h.newResumable(processBackend{proc}, c, r.URL.Path, log, func(exitCode int) {
			h.processEnded(exitCode)
			h.clients.release()
		})
		h.openSession(conn, hj, log, seat, c, seat.connectionEnded)
		return
	}
	h.openSession(conn, hj, log, processBackend{proc}, c, h.processEnded)
}

// startFailed follows a session's own process that could not start: the
// log says why, and the slots and the --once claim taken for it go back.
func (h *Handler) startFailed(log *slog.Logger, target commandTarget, err error) {
	log.Error("cannot start process", "error", explainStartError(target.argv[0], target.dir, err))
	h.forks.release()
	h.clients.release()
	h.onceEnded(exitCannotStart)
}

// processEnded gives back what a session's own process held once it is
// gone (or a --connect connection): its --maxforks slot, and with
// --once its exit status.
func (h *Handler) processEnded(exitCode int) {
	h.forks.release()
	h.onceEnded(exitCode)
}

// childEnv is the environment of a child started for request r.
func (h *Handler) childEnv(r *http.Request, target commandTarget, id, protocol string) []string {
	info := requestEnv{ScriptName: target.scriptName, PathInfo: target.pathInfo,
		ID: id, RemoteHost: h.remoteHost(r), Version: h.cfg.Version, Protocol: protocol}
	if len(h.cfg.Env) == 0 {
		return buildEnv(r, info, h.cfg.PassEnv, h.cfg.Environ)
	}
	// --env's variables are passed as if the server had them, after its
	// own: they win over those, and the request's variables over them.
	names := make([]string, len(h.cfg.Env))
	for i, kv := range h.cfg.Env {
		names[i], _, _ = strings.Cut(kv, "=")
	}
	return buildEnv(r, info, slices.Concat(h.cfg.PassEnv, names), slices.Concat(h.cfg.Environ, h.cfg.Env))
}

// startProcess starts a session's or a room's process, counted in the
// metrics with each step of its stop sequence.
func (h *Handler) startProcess(target commandTarget, env []string, tty child.TTY) (*child.Process, error) {
	c := child.Command{Argv: target.argv, Env: env, Dir: target.dir,
		Grace: child.BaseStopGrace + h.cfg.CloseGrace, TTY: tty}
	if m := h.cfg.Metrics; m != nil {
		c.OnStopStep = m.stopStep
	}
	proc, err := child.Start(c)
	if err != nil {
		return nil, err
	}
	h.cfg.Metrics.processStarted()
	return proc, nil
}

// serveRoomUpgrade gives an upgrade request its seat in the room of its
// path. What can refuse it is decided before the upgrade.
func (h *Handler) serveRoomUpgrade(w http.ResponseWriter, r *http.Request, target commandTarget, protocol string) {
	rm := h.enterRoom(w, r, target, protocol)
	if rm == nil {
		return
	}
	// The seat is taken before the 101 goes out, so that a client gets
	// every line the process writes once it is connected.
	id := rand.Text()
	st := newSeat(rm, id)
	rm.seat(st, r.RemoteAddr, r.URL.RawQuery)
	up := &upgradeWriter{ResponseWriter: w}
	conn, err := h.upgrader.Upgrade(up, r, h.upgradeHeaders(protocol))
	if err != nil {
		st.leaveCode = websocket.CloseAbnormalClosure
		st.stop()
		h.upgradeFailed(r, err)
		return
	}
	answeredUpgrade(w)
	up.plainFrames = writesPlainFrames(h.cfg.Compress, r)
	label := h.newSessionLabel(r, id, target.argv)
	label.room, label.pid = rm.key, rm.pid()
	log := label.logger()
	h.openSession(conn, up.hijacked, log, st, h.rooms.deps.codec, func(int) {})
}

// enterRoom finds or starts the room of r's path, counting r among its
// members. When it cannot, it refuses r and releases the client's slot.
func (h *Handler) enterRoom(w http.ResponseWriter, r *http.Request, target commandTarget, protocol string) *room {
	rm, err := h.rooms.enter(h.roomKey(r, target), func(key string) (*child.Process, error) {
		env := append(h.childEnv(r, target, rand.Text(), protocol), "WEBSOCKETD_ROOM="+key)
		return h.startProcess(target, env, child.DefaultTTY) // three pipes: no --pty with --room
	})
	if err != nil {
		h.clients.release()
	}
	switch {
	case errors.Is(err, errTooManyForks):
		h.refuse(w, r, http.StatusTooManyRequests, err.Error())
	case errors.Is(err, errBadRoomPath):
		h.refuse(w, r, http.StatusBadRequest, err.Error())
	case errors.Is(err, errClusterDown):
		h.refuse(w, r, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		h.log.Error("cannot start the room's process", "url", requestURL(r), "error", err)
		h.refuse(w, r, http.StatusInternalServerError, "cannot start process")
	}
	return rm
}

// roomKey is what clients share a room by: the URL path without the
// query; with --dir, the script's path and PATH_INFO.
func (h *Handler) roomKey(r *http.Request, target commandTarget) string {
	if h.cfg.ScriptDir == "" {
		return r.URL.Path
	}
	return target.scriptName + target.pathInfo
}

// ttySpec says how a new child's streams are wired, and with --terminal
// its first window size, from ?cols=&rows=.
func (h *Handler) ttySpec(r *http.Request) child.TTY {
	spec := child.DefaultTTY
	switch {
	case h.cfg.Terminal:
		spec.Mode = child.TerminalTTY
		spec.Cols, spec.Rows = terminalSize(r.URL.Query())
	case h.cfg.PTY:
		spec.Mode = child.OutputTTY
	}
	return spec
}
