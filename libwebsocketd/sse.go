package libwebsocketd

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/child"
)

// With --sse (Config.SSE) a GET that accepts text/event-stream gets the
// program's output lines as Server-Sent Events (sse_event.go), for
// clients behind proxies that carry no WebSocket: a process of its own,
// or a seat in the room of its path, as an upgrade would. The same checks
// come first (origin, script, --maxclients, --maxforks, --once); nothing
// goes the other way, so there is no subprotocol, and no request body.

// wantsEventStream reports whether r asks for an event stream that the
// handler serves.
func (h *Handler) wantsEventStream(r *http.Request) bool {
	return h.cfg.SSE && r.Method == http.MethodGet && acceptsEventStream(r.Header.Values("Accept"))
}

// acceptsEventStream reports whether Accept header values name
// text/event-stream, in any case and with any parameters, but q=0 (not
// acceptable). A browser's "*/*" does not count: a page is what it wants.
func acceptsEventStream(accept []string) bool {
	for _, value := range accept {
		for _, mediaRange := range strings.Split(value, ",") {
			mediaType, params, _ := strings.Cut(mediaRange, ";")
			if !strings.EqualFold(strings.TrimSpace(mediaType), "text/event-stream") {
				continue
			}
			return !refusedByQuality(params)
		}
	}
	return false
}

// refusedByQuality reports whether a media range's parameters say q=0.
func refusedByQuality(params string) bool {
	for _, param := range strings.Split(params, ";") {
		name, value, _ := strings.Cut(param, "=")
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			return err == nil && q == 0
		}
	}
	return false
}

// serveSSE answers an event stream request with a process of its own, or
// a seat in a room. Everything that can refuse it is decided before the
// process starts, as for an upgrade.
func (h *Handler) serveSSE(w http.ResponseWriter, r *http.Request) {
	// net/http notices a client gone (the request's context) only once
	// the body is read: with one unread, a stream could outlive its client
	// until the next keep-alive.
	if r.ContentLength != 0 {
		h.refuse(w, r, http.StatusBadRequest, "an event stream request has no body")
		return
	}
	target, ok := h.admit(w, r)
	if !ok {
		return
	}
	if !h.clients.acquire() {
		h.refuse(w, r, http.StatusTooManyRequests, "too many connections (--maxclients)")
		return
	}
	if h.cfg.Room != "" {
		h.serveRoomSSE(w, r, target) // releases the client's slot on every path
		return
	}
	if !h.takeProcessSlots(w, r) {
		return
	}
	id := rand.Text()
	label := h.newSessionLabel(r, id, target.argv)
	tty := child.DefaultTTY // a Terminal's child is for WebSocket clients alone
	if h.cfg.PTY {
		tty.Mode = child.OutputTTY
	}
	proc, err := h.startProcess(target, h.childEnv(r, target, id, ""), tty)
	if err != nil {
		h.startFailed(label.logger(), target, err)
		h.refuse(w, r, http.StatusInternalServerError, "cannot start process")
		return
	}
	label.pid = proc.Pid()
	log := label.logger()
	c := chooseCodec(codecOptions{passStderr: h.cfg.PassStderr, maxLine: h.cfg.MaxLineSize, log: log})
	h.openSSE(w, r, log, processBackend{proc}, c, h.processEnded)
}

// serveRoomSSE gives an event stream its seat in the room of its path;
// the room's messages reach it as they reach a WebSocket client.
func (h *Handler) serveRoomSSE(w http.ResponseWriter, r *http.Request, target commandTarget) {
	rm := h.enterRoom(w, r, target, "")
	if rm == nil {
		return
	}
	id := rand.Text()
	st := newSeat(rm, id)
	// What --room=json's leave event says: a stream's client can only
	// go away.
	st.leaveCode, st.leaveReason = websocket.CloseGoingAway, "event stream ended"
	// A client back after a drop (EventSource sends the last id it got)
	// is replayed only what follows it, when the replay reaches that far.
	st.after, _ = strconv.ParseUint(r.Header.Get("Last-Event-ID"), 10, 64)
	rm.seat(st, r.RemoteAddr, r.URL.RawQuery)
	label := h.newSessionLabel(r, id, rm.proc.Args())
	label.room, label.pid = rm.key, rm.proc.pid()
	log := label.logger()
	h.openSSE(w, r, log, st, h.rooms.deps.codec, func(int) {})
}
