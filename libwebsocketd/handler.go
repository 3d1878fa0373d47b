package libwebsocketd

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/pipes"
)

// handshakeTimeout bounds writing the 101 response to the client.
const handshakeTimeout = 10 * time.Second

// Handler serves websocketd's whole HTTP surface. Its routing order for a
// request is: WebSocket upgrade (when there is a command or a script
// directory), with --sse an event stream, dev console, CGI, static
// files, 404.
type Handler struct {
	cfg      Config
	log      *slog.Logger
	forks    slotLimit
	clients  slotLimit // WebSocket connections, against --maxclients
	rooms    *roomHub
	resumes  *resumeTokens // --resumems; nil without it
	upgrader websocket.Upgrader
	static   http.Handler // nil without --staticdir

	// loopbackOnly is set by the Server when every listener is on
	// loopback: Host is then checked even without --allowhost.
	loopbackOnly bool

	mu       sync.Mutex
	sessions map[liveSession]struct{}
	draining bool           // shutting down: no new upgrades
	retiring bool           // a reload took its route away: no new upgrades (retire.go)
	killing  bool           // the shutdown grace is over
	live     sync.WaitGroup // what a shutdown waits for: upgrades, sessions, rooms

	retired     chan struct{} // closed once a retired Handler let go of all (retire.go)
	onceClaimed atomic.Bool   // --once: the one session is taken
	onceDone    chan int      // --once: the exit status of its child
}

// NewHandler checks cfg and returns a Handler for it.
func NewHandler(cfg Config, log *slog.Logger) (*Handler, error) {
	if cfg.Terminal {
		cfg.Binary = true // a terminal's output is bytes, not lines
	}
	if err := checkConnect(cfg); err != nil {
		return nil, err
	}
	if err := checkResume(cfg); err != nil {
		return nil, err
	}
	if cfg.MaxLineSize <= 0 {
		cfg.MaxLineSize = DefaultMaxLineSize // never unbounded: see outputlimit.go
	}
	h := &Handler{cfg: cfg, log: log, sessions: map[liveSession]struct{}{}, onceDone: make(chan int, 1),
		retired: make(chan struct{})}
	h.forks.max = int64(cfg.MaxForks)
	h.clients.max = int64(cfg.MaxClients)
	h.rooms = newRoomHub(h.roomDeps())
	if cfg.ResumeTimeout > 0 {
		h.resumes = newResumeTokens()
		if h.cfg.ResumeBuffer == 0 {
			h.cfg.ResumeBuffer = DefaultResumeBuffer
		}
	}
	if cfg.Cluster != nil {
		var err error
		if h.rooms.cluster, err = newCluster(*cfg.Cluster, log, cfg.Metrics); err != nil {
			return nil, err
		}
	}
	if cfg.StaticDir != "" {
		static, err := newStaticHandler(cfg.StaticDir, cfg.StaticList, cfg.CGIDir)
		if err != nil {
			return nil, err
		}
		h.static = mounted(cfg.Mount, static)
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: handshakeTimeout,
		// Origins are checked before the upgrade, by our own rules.
		CheckOrigin:     func(*http.Request) bool { return true },
		WriteBufferPool: writeBufferPool,
		// permessage-deflate, answered with no context takeover both
		// ways: the only form gorilla/websocket speaks.
		EnableCompression: cfg.Compress,
	}
	if h.servesWebSocket() {
		// Started now rather than at the first session, so that its one
		// descriptor (epoll's) is counted among the server's from the start.
		pipes.SharedWatcher()
	}
	return h, nil
}

// writeBufferPool lends write buffers to connections only while they write:
// an idle connection holds none.
var writeBufferPool = &sync.Pool{}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(h.cfg.TrustProxies) > 0 {
		r = h.behindProxy(r)
	}
	rec := &accessRecorder{ResponseWriter: w}
	defer h.logAccess(rec, r, time.Now())
	// Every answer but the 101 is a plain HTTP one, refusals of upgrades
	// included, so they all get HeadersHTTP. The 101 never sees these: the
	// upgrader writes it with the headers it is handed (upgradeHeaders).
	addHeaders(w.Header(), h.cfg.Headers)
	addHeaders(w.Header(), h.cfg.HeadersHTTP)
	if h.hostChecked() && !h.allowsHost(r) {
		h.refuseHost(rec, r)
		return
	}
	if h.cfg.BasicAuth != nil {
		var ok bool
		if r, ok = h.authenticate(rec, r); !ok {
			return
		}
	}
	if upgrade := websocket.IsWebSocketUpgrade(r); (upgrade || h.wantsEventStream(r)) && h.servesWebSocket() {
		if !h.enter() {
			http.Error(rec, "503 server shutting down", http.StatusServiceUnavailable)
			return
		}
		defer h.live.Done()
		if upgrade {
			h.serveUpgrade(rec, r)
		} else {
			h.serveSSE(rec, r)
		}
		return
	}
	switch {
	case h.cfg.DevConsole && h.cfg.Terminal:
		serveTerminalPage(rec, r)
	case h.cfg.DevConsole:
		serveConsole(rec, r)
	case h.cfg.CGIDir != "" && h.serveCGI(rec, r):
	case h.static != nil:
		h.static.ServeHTTP(rec, r)
	case h.servesWebSocket():
		http.Error(rec, "404 page not found: this server speaks WebSocket here; "+
			"start websocketd with --devconsole to try it from a browser", http.StatusNotFound)
	default:
		http.Error(rec, "404 page not found", http.StatusNotFound)
	}
}

// roomDeps are what the handler's rooms get of it.
func (h *Handler) roomDeps() roomDeps {
	var protocol roomProtocol = plainRoom{}
	if h.cfg.Room == "json" {
		protocol = jsonRoom{}
	}
	return roomDeps{log: h.log, metrics: h.cfg.Metrics, forks: &h.forks, live: &h.live,
		draining: h.isDraining, protocol: protocol,
		codec: chooseCodec(codecOptions{binary: h.cfg.Binary, maxLine: h.cfg.MaxLineSize}),
		limits: roomLimits{linger: h.cfg.RoomLinger, queue: h.cfg.RoomQueue,
			slow: h.cfg.RoomSlow, compress: h.cfg.Compress, maxLine: h.cfg.MaxLineSize,
			replay: h.cfg.RoomReplay, replayBytes: h.cfg.RoomReplayBytes}}
}

func (h *Handler) servesWebSocket() bool {
	return len(h.cfg.Command) > 0 || h.cfg.ScriptDir != "" || h.cfg.Connect != ""
}

// runsPrograms reports whether h may start a process: a session's, a
// room's or a CGI script's.
func (h *Handler) runsPrograms() bool { return h.servesWebSocket() || h.cfg.CGIDir != "" }

// setLoopbackOnly is set by the Server before it serves, when every
// listener is on loopback: Host is then checked even without --allowhost.
func (h *Handler) setLoopbackOnly(only bool) { h.loopbackOnly = only }

func addHeaders(dst, src http.Header) {
	for name, values := range src {
		for _, v := range values {
			dst.Add(name, v)
		}
	}
}

// enter counts an upgrade under way, unless the server is shutting down.
// The HTTP server stops tracking a connection once it is hijacked, so
// without this count Shutdown could find no session and return while an
// upgrade is about to start a process.
func (h *Handler) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.draining || h.retiring {
		return false
	}
	h.live.Add(1)
	return true
}

// liveSession is what a shutdown ends: a WebSocket session, or an event
// stream (sse_session.go).
type liveSession interface {
	shutdown()
	kill()
}

// track registers a new session, and reports whether the server is
// already shutting down (then the session is to be closed at once).
func (h *Handler) track(s liveSession) (draining bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sessions[s] = struct{}{}
	h.live.Add(1)
	if h.killing {
		s.kill()
	}
	return h.draining
}

func (h *Handler) isDraining() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.draining
}

func (h *Handler) forget(s liveSession) {
	h.mu.Lock()
	delete(h.sessions, s)
	h.mu.Unlock()
	h.live.Done()
}

// Shutdown closes every session with 1001 (going away), which stops its
// process with the usual sequence, and waits until all are gone or ctx
// ends. Sessions still alive then are killed at once.
func (h *Handler) Shutdown(ctx context.Context) error {
	for _, s := range h.sessionsAfter(func() { h.draining = true }) {
		s.shutdown()
	}
	h.rooms.closeIdle() // a lingering room has nobody to wait for
	done := make(chan struct{})
	go func() { h.live.Wait(); close(done) }()
	defer h.rooms.cluster.close() // after the rooms' handovers
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		// Sessions that started since are in the list now; any later one
		// is killed by track.
		for _, s := range h.sessionsAfter(func() { h.killing = true }) {
			s.kill()
		}
		h.rooms.killAll()
		<-done
		return ctx.Err()
	}
}

// sessionsAfter changes the handler's state and lists the live sessions,
// in one step as seen by track.
func (h *Handler) sessionsAfter(change func()) []liveSession {
	h.mu.Lock()
	defer h.mu.Unlock()
	change()
	live := make([]liveSession, 0, len(h.sessions))
	for s := range h.sessions {
		live = append(live, s)
	}
	return live
}
