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

// accounting is what the Operations flags (a group in --help) add to a
// session: its counts for --metrics, its --idlems and --maxsessionms
// timers, and what ended it and how its child exited, for the metrics and
// --once. A session without any of those flags has none (nil), and every
// method is then a nil check: the default path does no extra work.
type accounting struct {
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

func newAccounting(m *Metrics, idle bool) *accounting {
	a := &accounting{metrics: m, started: time.Now(), trackIdle: idle}
	a.exitCode.Store(-1)
	m.sessionStarted()
	return a
}

// messageIn and messageOut are called for every data message; the socket
// calls them only when --metrics or --idlems asks for it.
func (a *accounting) messageIn(n int) {
	if a == nil {
		return
	}
	a.metrics.messageIn(n)
	a.active()
}

func (a *accounting) messageOut(n int) {
	if a == nil {
		return
	}
	a.metrics.messageOut(n)
	a.active()
}

// messagesOut counts count messages of bytes in all sent in one go.
func (a *accounting) messagesOut(count, bytes int) {
	if a == nil {
		return
	}
	a.metrics.batchOut(count, bytes)
	a.active()
}

func (a *accounting) active() {
	if a.trackIdle {
		a.lastActive.Store(int64(time.Since(a.started)))
	}
}

// ended records why the session ends; the first reason given wins.
func (a *accounting) ended(outcome int32) {
	if a != nil {
		a.outcome.CompareAndSwap(outcomeUnknown, outcome)
	}
}

// exited records how the child ended.
func (a *accounting) exited(state *os.ProcessState) {
	if a == nil {
		return
	}
	a.ended(outcomeProcessExit)
	a.metrics.processExited(state)
	if state == nil {
		return
	}
	code := state.ExitCode()
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	a.exitCode.Store(int32(code))
}

// quiet is how long no data message went either way.
func (a *accounting) quiet() time.Duration {
	return time.Since(a.started) - time.Duration(a.lastActive.Load())
}

// finish stops the timers and counts the session as ended; it returns the
// child's exit code (-1 if unknown).
func (a *accounting) finish() int {
	if a == nil {
		return -1
	}
	a.timersMu.Lock()
	for _, t := range a.timers {
		t.Stop()
	}
	a.timers = nil
	a.timersMu.Unlock()
	a.metrics.sessionEnded(outcomes[a.outcome.Load()], time.Since(a.started).Seconds())
	return int(a.exitCode.Load())
}

// attachAccounting gives a new session its accounting; the socket counts
// messages only when something needs the counts.
func (h *Handler) attachAccounting(s *session) {
	s.acct = h.newSessionAccounting()
	if s.acct != nil && (h.cfg.Metrics != nil || h.cfg.IdleTimeout > 0) {
		s.sock.acct = s.acct
	}
}

// newSessionAccounting is a new session's accounting, or nil when no flag
// needs one.
func (h *Handler) newSessionAccounting() *accounting {
	c := h.cfg
	if c.Metrics == nil && c.IdleTimeout == 0 && c.MaxSession == 0 && !c.Once {
		return nil
	}
	return newAccounting(c.Metrics, c.IdleTimeout > 0)
}
