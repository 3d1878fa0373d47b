package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/websocketd/websocketd/libwebsocketd"
)

// metricsServer is the --metrics listener: never the public one, so the
// numbers can be kept from the clients.
type metricsServer struct{ http *http.Server }

// startOperations does what the Operations flags (a group in --help) need
// before the server starts: it reads the --basicauth file and starts the
// --metrics listener. It returns exitOK, or the exit status for a
// problem it has reported: 1 for an unreadable or weak htpasswd file, 3
// for a metrics address that cannot be bound.
func startOperations(cfg *Config, log *slog.Logger, stderr io.Writer) (*metricsServer, int) {
	if cfg.BasicAuthFile != "" {
		auth, err := libwebsocketd.NewBasicAuth(cfg.BasicAuthFile)
		if err != nil {
			fmt.Fprintf(stderr, "websocketd: %v\n", err)
			return nil, exitConfig
		}
		cfg.Handler.BasicAuth = auth
	}
	if cfg.MetricsAddr == "" {
		return nil, exitOK
	}
	listener, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		fmt.Fprintf(stderr, "websocketd: cannot listen for --metrics: %v\n", err)
		return nil, exitListen
	}
	metrics := libwebsocketd.NewMetrics()
	cfg.Handler.Metrics = metrics
	srv := &http.Server{Handler: metrics.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener failed", "category", "server", "error", err)
		}
	}()
	log.Info("metrics on http://"+listener.Addr().String()+"/metrics", "category", "server")
	return &metricsServer{srv}, exitOK
}

// stop closes the metrics listener; it is the last thing to go, so that
// /healthz says 503 for the whole shutdown.
func (m *metricsServer) stop() {
	if m != nil {
		m.http.Close()
	}
}
