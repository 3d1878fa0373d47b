package libwebsocketd

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// clusterMetrics are --cluster's metrics, registered by the first use: a
// server without --cluster shows none of them.
type clusterMetrics struct {
	register  sync.Once
	down      atomic.Bool // /healthz fails while set
	reachable prometheus.Gauge
	refused   prometheus.Counter
}

func (m *Metrics) registerCluster() {
	m.cluster.register.Do(func() {
		m.cluster.reachable = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "websocketd",
			Name: "cluster_reachable", Help: "1 while the cluster's NATS and its lease bucket are reachable (--cluster), else 0."})
		m.cluster.refused = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "websocketd",
			Name: "cluster_unreachable_refusals_total", Help: "Room clients refused with 503 because the cluster's NATS was unreachable."})
		m.registry.MustRegister(m.cluster.reachable, m.cluster.refused)
	})
}

// clusterReachable follows the node's connection to the cluster.
func (m *Metrics) clusterReachable(up bool) {
	if m == nil {
		return
	}
	m.registerCluster()
	m.cluster.down.Store(!up)
	if up {
		m.cluster.reachable.Set(1)
	} else {
		m.cluster.reachable.Set(0)
	}
}

// clusterRefused counts a room client refused for want of the cluster.
func (m *Metrics) clusterRefused() {
	if m != nil {
		m.registerCluster()
		m.cluster.refused.Inc()
	}
}
