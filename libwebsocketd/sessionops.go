package libwebsocketd

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Why a session ended, as counted in websocketd_sessions_total.
const (
	outcomeUnknown      int32 = iota
	outcomeProcessExit        // the child ended its output first
	outcomeClientClosed       // the client closed or went away first
	outcomeIdle               // --idlems
	outcomeTimeLimit          // --maxsessionms
	outcomeShutdown           // the server shut down
)

// outcomes are the label values of the outcomes above.
var outcomes = [...]string{"unknown", "process_exit", "client_closed", "idle_timeout", "time_limit", "shutdown"}

// sessionOps is what the operations flags add to a session: its counts
// for --metrics, its --idlems and --maxsessionms timers, and what ended
// it and how its child exited, for the metrics and --once. A session
// without any of those flags has none (nil), and every method is then a
// nil check: the default path does no extra work.
type sessionOps struct {
	metrics *Metrics
	started time.Time

	// lastActive is when the last data message went either way, or a
	// --terminal resize came in (see socket.countIn), as time since
	// started (monotonic, unlike a wall-clock stamp); only kept with
	// --idlems.
	lastActive atomic.Int64
	trackIdle  bool
	timersMu   sync.Mutex
	timers     []*time.Timer

	outcome  atomic.Int32 // index in outcomes of the first reason the session ended
	exitCode atomic.Int32 // the child's, shell style: 128+signal when killed
}

func newSessionOps(m *Metrics, idle bool) *sessionOps {
	o := &sessionOps{metrics: m, started: time.Now(), trackIdle: idle}
	o.exitCode.Store(-1)
	m.sessionStarted()
	return o
}

// messageIn and messageOut are called for every data message; the socket
// calls them only when --metrics or --idlems asks for it.
func (o *sessionOps) messageIn(n int) {
	if o == nil {
		return
	}
	o.metrics.messageIn(n)
	o.active()
}

func (o *sessionOps) messageOut(n int) {
	if o == nil {
		return
	}
	o.metrics.messageOut(n)
	o.active()
}

func (o *sessionOps) active() {
	if o.trackIdle {
		o.lastActive.Store(int64(time.Since(o.started)))
	}
}

// ended records why the session ends; the first reason given wins.
func (o *sessionOps) ended(outcome int32) {
	if o != nil {
		o.outcome.CompareAndSwap(outcomeUnknown, outcome)
	}
}

// exited records how the child ended.
func (o *sessionOps) exited(state *os.ProcessState) {
	if o == nil {
		return
	}
	o.ended(outcomeProcessExit)
	o.metrics.processExited(state)
	if state == nil {
		return
	}
	code := state.ExitCode()
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	o.exitCode.Store(int32(code))
}

// quiet is how long no data message went either way.
func (o *sessionOps) quiet() time.Duration {
	return time.Since(o.started) - time.Duration(o.lastActive.Load())
}

// finish stops the timers and counts the session as ended; it returns the
// child's exit code (-1 if unknown).
func (o *sessionOps) finish() int {
	if o == nil {
		return -1
	}
	o.timersMu.Lock()
	for _, t := range o.timers {
		t.Stop()
	}
	o.timers = nil
	o.timersMu.Unlock()
	o.metrics.sessionEnded(outcomes[o.outcome.Load()], time.Since(o.started).Seconds())
	return int(o.exitCode.Load())
}

// attachOps gives a new session its sessionOps; the socket counts
// messages only when something needs the counts.
func (h *Handler) attachOps(s *session) {
	c := h.cfg
	if c.Metrics == nil && c.IdleTimeout == 0 && c.MaxSession == 0 && !c.Once {
		return
	}
	s.ops = newSessionOps(h.cfg.Metrics, h.cfg.IdleTimeout > 0)
	if h.cfg.Metrics != nil || h.cfg.IdleTimeout > 0 {
		s.sock.ops = s.ops
	}
	if p, ok := s.serve.(*process); ok && h.cfg.Metrics != nil {
		p.reached = h.cfg.Metrics.stopStep
	}
}
