package libwebsocketd

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// roomHub is the handler's rooms, by path. A room is found or started
// before the upgrade, so that a client refused for --maxforks gets HTTP
// 429 and no process is ever started for an upgrade that fails.
type roomHub struct {
	h     *Handler
	mu    sync.Mutex
	rooms map[string]*room
}

// roomKey is what clients share a room by: the URL path without the
// query; with --dir, the script's path and PATH_INFO.
func (hub *roomHub) roomKey(r *http.Request, target commandTarget) string {
	if hub.h.cfg.ScriptDir == "" {
		return r.URL.Path
	}
	return target.scriptName + target.pathInfo
}

var errTooManyForks = errors.New("too many processes (--maxforks)")

// errBadRoomPath is a path that cannot name a room: its key goes into the
// process's environment (WEBSOCKETD_ROOM), the logs and JSON events as it
// is, so one that safeValue would change is refused (400), not altered
// into the name of another room.
var errBadRoomPath = errors.New("the room's path holds a control character")

// enter returns the room for target, started if need be, with a place
// reserved for the client (release gives it back).
func (hub *roomHub) enter(r *http.Request, target commandTarget, protocol string) (*room, error) {
	key := hub.roomKey(r, target)
	if safeValue(key) != key {
		return nil, errBadRoomPath
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if rm := hub.rooms[key]; rm != nil && rm.reserve() {
		return rm, nil
	}
	if !hub.h.forks.acquire() {
		return nil, errTooManyForks
	}
	rm, err := hub.start(key, r, target, protocol)
	if err != nil {
		hub.h.forks.release()
		return nil, err
	}
	hub.rooms[key] = rm
	rm.reserve()
	return rm, nil
}

// start starts a room's process with the CGI environment of the request
// that opens it, plus WEBSOCKETD_ROOM.
func (hub *roomHub) start(key string, r *http.Request, target commandTarget, protocol string) (*room, error) {
	cfg := hub.h.cfg
	info := requestEnv{ScriptName: target.scriptName, PathInfo: target.pathInfo,
		ID: rand.Text(), RemoteHost: hub.h.remoteHost(r), Version: cfg.Version, Protocol: protocol}
	env := append(buildEnv(r, info, cfg.PassEnv, cfg.Environ), "WEBSOCKETD_ROOM="+key)
	// Three pipes: --pty and --terminal are refused with --room.
	proc, err := startProcess(target.argv, env, target.dir, baseStopGrace+cfg.CloseGrace, defaultTTYSize)
	if err != nil {
		return nil, err
	}
	rm := &room{key: key, hub: hub, proc: proc, json: cfg.Room == "json", binary: cfg.Binary,
		compress: cfg.Compress, queueLimit: cfg.RoomQueue, slow: cfg.RoomSlow, maxLine: cfg.MaxLineSize,
		in: make(chan []byte), done: make(chan struct{}), seats: map[string]*seat{},
		log: hub.h.log.With("category", "room", "room", key, "pid", proc.pid(),
			"command", strings.Join(target.argv, " "))}
	hub.h.idle.Add(1) // a shutdown waits for the room's process too
	if m := cfg.Metrics; m != nil {
		m.processStarted()
		m.roomOpened()
		proc.reached = m.stopStep
	}
	rm.log.Info("room process started")
	return rm, nil // its first client's seat starts its goroutines (room.seat)
}

// reserve takes a place in the room, unless it is closed. The hub's lock
// is held.
func (rm *room) reserve() bool {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.closed {
		return false
	}
	rm.members++
	if rm.linger != nil {
		rm.linger.Stop()
		rm.linger = nil
	}
	return true
}

// release gives a place back. The last one out stops the process, at once
// or after --roomlinger; a server shutting down does not linger.
func (hub *roomHub) release(rm *room) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.members--
	if rm.members > 0 || rm.closed {
		return
	}
	if linger := hub.h.cfg.RoomLinger; linger > 0 && !hub.h.isDraining() {
		rm.linger = time.AfterFunc(linger, func() { hub.lingerOver(rm) })
		return
	}
	hub.closeLocked(rm)
}

func (hub *roomHub) lingerOver(rm *room) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.members == 0 && !rm.closed {
		hub.closeLocked(rm)
	}
}

// closeLocked stops an empty room's process; the next client starts a new
// one. Both locks are held.
func (hub *roomHub) closeLocked(rm *room) {
	rm.closed = true
	if hub.rooms[rm.key] == rm {
		delete(hub.rooms, rm.key)
	}
	go rm.proc.stop()
}

// forget closes a room whose output ended to new clients, and drops it
// from the hub.
func (hub *roomHub) forget(rm *room) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	rm.mu.Lock()
	rm.closed = true
	rm.mu.Unlock()
	if hub.rooms[rm.key] == rm {
		delete(hub.rooms, rm.key)
	}
}

// ended follows a room's process's end and reaping.
func (hub *roomHub) ended(status exitStatus) {
	hub.h.cfg.Metrics.roomClosed(status.state)
	hub.h.forks.release()
	hub.h.idle.Done()
}

// closeIdle stops the rooms nobody is in (lingering), for a shutdown.
func (hub *roomHub) closeIdle() {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	for _, rm := range hub.rooms {
		rm.mu.Lock()
		if rm.members == 0 && !rm.closed {
			hub.closeLocked(rm)
		}
		rm.mu.Unlock()
	}
}

// killAll ends every room's process group at once, for a server whose
// shutdown grace is over.
func (hub *roomHub) killAll() {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	for _, rm := range hub.rooms {
		rm.proc.kill()
	}
}

// serveRoomUpgrade gives an upgrade request its seat in the room of its
// path. What can refuse it is decided before the upgrade.
func (h *Handler) serveRoomUpgrade(w http.ResponseWriter, r *http.Request, target commandTarget, protocol string) {
	rm, err := h.rooms.enter(r, target, protocol)
	if err != nil {
		h.clients.release()
	}
	switch {
	case errors.Is(err, errTooManyForks):
		h.refuse(w, r, http.StatusTooManyRequests, err.Error())
		return
	case errors.Is(err, errBadRoomPath):
		h.refuse(w, r, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		h.log.Error("cannot start the room's process", "url", requestURL(r), "error", err)
		h.refuse(w, r, http.StatusInternalServerError, "cannot start process")
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
	log := h.sessionLog(r, id, rm.proc.cmd.Args).With("room", rm.key, "pid", rm.proc.pid())
	s := h.newSession(conn, up.hijacked, log, st)
	sharePlainFrame(conn, h.cfg.Compress, r)
	h.attachOps(s)
	s.onClose = func() { s.ops.finish(); h.clients.release(); h.forget(s) }
	draining := h.track(s)
	st.attach(s)
	s.startTimers(h.cfg.IdleTimeout, h.cfg.MaxSession)
	s.run()
	st.open()
	if draining {
		s.shutdown()
	}
}
