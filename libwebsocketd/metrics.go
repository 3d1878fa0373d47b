package libwebsocketd

import (
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/websocketd/websocketd/internal/child"
)

// Metrics counts what the server does, for Prometheus (--metrics). Every
// method is safe on a nil *Metrics and does nothing: that is the server
// without --metrics, which pays a nil check and nothing more.
type Metrics struct {
	registry *prometheus.Registry
	stopping atomic.Bool

	sessionsActive prometheus.Gauge
	sessions       *prometheus.CounterVec // by outcome
	refused        *prometheus.CounterVec // by HTTP status
	messagesIn     prometheus.Counter
	messagesOut    prometheus.Counter
	bytesIn        prometheus.Counter
	bytesOut       prometheus.Counter
	processStarts  prometheus.Counter
	exits          *prometheus.CounterVec // by exit code or signal
	stopSteps      *prometheus.CounterVec // by step of the stop sequence
	duration       prometheus.Histogram
	roomsActive    prometheus.Gauge
	roomClients    prometheus.Gauge
	cluster        clusterMetrics // metrics_cluster.go
}

// NewMetrics registers websocketd's metrics, and the Go runtime's and the
// process's, in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "websocketd", Name: name, Help: help})
	}
	counterVec := func(name, help, label string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "websocketd", Name: name, Help: help}, []string{label})
	}
	m.sessionsActive = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "websocketd",
		Name: "sessions_active", Help: "WebSocket sessions open now."})
	m.sessions = counterVec("sessions_total", "WebSocket sessions ended, by what ended them.", "outcome")
	m.refused = counterVec("upgrades_refused_total", "WebSocket upgrade requests answered with an HTTP error, by status.", "status")
	messages := counterVec("messages_total", "WebSocket data messages, by direction (in: from clients).", "direction")
	bytes := counterVec("message_bytes_total", "Payload bytes of WebSocket data messages, by direction.", "direction")
	m.messagesIn, m.messagesOut = messages.WithLabelValues("in"), messages.WithLabelValues("out")
	m.bytesIn, m.bytesOut = bytes.WithLabelValues("in"), bytes.WithLabelValues("out")
	m.processStarts = counter("process_starts_total", "Processes started for sessions.")
	m.exits = counterVec("process_exits_total", "Session processes ended, by exit status or the signal that ended them.", "status")
	m.stopSteps = counterVec("stop_steps_total", "Steps of the stop sequence reached (stdin_closed, SIGINT, SIGTERM, SIGKILL; on Windows stdin_closed, CTRL_BREAK, job_terminated).", "step")
	m.duration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "websocketd",
		Name: "session_duration_seconds", Help: "How long WebSocket sessions lasted.",
		Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600, 14400}})
	m.roomsActive = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "websocketd",
		Name: "rooms_active", Help: "Rooms (--room) whose process is running now."})
	m.roomClients = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "websocketd",
		Name: "room_clients", Help: "Clients seated in rooms now."})
	m.registry.MustRegister(m.sessionsActive, m.sessions, m.refused, messages, bytes,
		m.processStarts, m.exits, m.stopSteps, m.duration, m.roomsActive, m.roomClients,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics (the Prometheus text format) and /healthz (200
// while serving, 503 once shutting down or while --cluster's NATS is
// unreachable).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if m.stopping.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if m.cluster.down.Load() {
			http.Error(w, "the cluster (NATS) is unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	})
	return mux
}

// ShuttingDown turns /healthz to 503, so a load balancer stops sending.
func (m *Metrics) ShuttingDown() {
	if m != nil {
		m.stopping.Store(true)
	}
}

// upgradeAnswered counts an upgrade request that got anything but 101.
func (m *Metrics) upgradeAnswered(r *http.Request, status int) {
	if m != nil && status != http.StatusSwitchingProtocols && websocket.IsWebSocketUpgrade(r) {
		m.refused.WithLabelValues(strconv.Itoa(status)).Inc()
	}
}

func (m *Metrics) messageIn(n int) {
	if m != nil {
		m.messagesIn.Inc()
		m.bytesIn.Add(float64(n))
	}
}

func (m *Metrics) messageOut(n int) {
	if m != nil {
		m.messagesOut.Inc()
		m.bytesOut.Add(float64(n))
	}
}

func (m *Metrics) batchOut(count, bytes int) {
	if m != nil {
		m.messagesOut.Add(float64(count))
		m.bytesOut.Add(float64(bytes))
	}
}

func (m *Metrics) sessionStarted() {
	if m != nil {
		m.sessionsActive.Inc()
	}
}

// processStarted counts a process: one per session, or one per room.
func (m *Metrics) processStarted() {
	if m != nil {
		m.processStarts.Inc()
	}
}

// roomOpened and roomClosed follow a room's process; its clients are
// counted as sessions as well as by roomSeated and roomLeft.
func (m *Metrics) roomOpened() {
	if m != nil {
		m.roomsActive.Inc()
	}
}

func (m *Metrics) roomClosed(state *os.ProcessState) {
	if m != nil {
		// The exit first: a scrape that sees the room gone sees its exit.
		m.processExited(state)
		m.roomsActive.Dec()
	}
}

func (m *Metrics) roomSeated() {
	if m != nil {
		m.roomClients.Inc()
	}
}

func (m *Metrics) roomLeft() {
	if m != nil {
		m.roomClients.Dec()
	}
}

func (m *Metrics) sessionEnded(outcome string, seconds float64) {
	if m != nil {
		m.sessionsActive.Dec()
		m.sessions.WithLabelValues(outcome).Inc()
		m.duration.Observe(seconds)
	}
}

func (m *Metrics) processExited(state *os.ProcessState) {
	if m != nil && state != nil {
		m.exits.WithLabelValues(exitLabel(state)).Inc()
	}
}

// stopStep counts a step of the stop sequence as it is taken.
func (m *Metrics) stopStep(step string) {
	if m != nil {
		m.stopSteps.WithLabelValues(step).Inc()
	}
}

// exitLabel is the exit code, or the name of the signal that killed.
func exitLabel(state *os.ProcessState) string {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return child.SignalName(ws.Signal())
	}
	return strconv.Itoa(state.ExitCode())
}
