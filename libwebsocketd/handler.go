package libwebsocketd

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// handshakeTimeout bounds writing the 101 response to the client.
const handshakeTimeout = 10 * time.Second

// Handler serves websocketd's whole HTTP surface. Its routing order for a
// request is: WebSocket upgrade (when there is a command or a script
// directory), dev console, CGI, static files, 404.
type Handler struct {
	cfg      Config
	log      *slog.Logger
	forks    forkLimiter
	upgrader websocket.Upgrader
	static   http.Handler // nil without --staticdir

	mu       sync.Mutex
	sessions map[*session]struct{}
	draining bool
	idle     sync.WaitGroup // one count per live session
}

// NewHandler checks cfg and returns a Handler for it.
func NewHandler(cfg Config, log *slog.Logger) (*Handler, error) {
	h := &Handler{cfg: cfg, log: log, sessions: map[*session]struct{}{}}
	h.forks.max = int64(cfg.MaxForks)
	if cfg.StaticDir != "" {
		static, err := newStaticHandler(cfg.StaticDir, cfg.StaticList, cfg.CGIDir)
		if err != nil {
			return nil, err
		}
		h.static = static
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: handshakeTimeout,
		// Origins are checked before the upgrade, by our own rules.
		CheckOrigin:     func(*http.Request) bool { return true },
		WriteBufferPool: writeBufferPool,
	}
	return h, nil
}

// writeBufferPool lends write buffers to connections only while they write:
// an idle connection holds none.
var writeBufferPool = &sync.Pool{}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &accessRecorder{ResponseWriter: w}
	defer h.logAccess(rec, r, time.Now())
	addHeaders(w.Header(), h.cfg.Headers)
	if websocket.IsWebSocketUpgrade(r) && h.servesWebSocket() {
		h.serveUpgrade(rec, r)
		return
	}
	addHeaders(w.Header(), h.cfg.HeadersHTTP)
	switch {
	case h.cfg.DevConsole:
		serveConsole(rec, r)
	case h.cfg.CGIDir != "" && h.serveCGI(rec, r):
	case h.static != nil:
		h.static.ServeHTTP(rec, r)
	default:
		http.Error(rec, "404 page not found: this server speaks WebSocket here; "+
			"start websocketd with --devconsole to try it from a browser", http.StatusNotFound)
	}
}

func (h *Handler) servesWebSocket() bool {
	return len(h.cfg.Command) > 0 || h.cfg.ScriptDir != ""
}

func addHeaders(dst, src http.Header) {
	for name, values := range src {
		for _, v := range values {
			dst.Add(name, v)
		}
	}
}

// track registers a new session, and reports whether the server is
// already shutting down (then the session is to be closed at once).
func (h *Handler) track(s *session) (draining bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sessions[s] = struct{}{}
	h.idle.Add(1)
	return h.draining
}

func (h *Handler) forget(s *session) {
	h.mu.Lock()
	delete(h.sessions, s)
	h.mu.Unlock()
	h.idle.Done()
}

// Shutdown closes every session with 1001 (going away), which stops its
// process, and waits until all are gone or ctx ends. Sessions still alive
// then have their processes killed at once.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.draining = true
	live := make([]*session, 0, len(h.sessions))
	for s := range h.sessions {
		live = append(live, s)
	}
	h.mu.Unlock()
	for _, s := range live {
		s.shutdown()
	}
	done := make(chan struct{})
	go func() { h.idle.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, s := range live {
			s.proc.kill()
		}
		<-done
		return ctx.Err()
	}
}
