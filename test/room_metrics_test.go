//go:build !windows

package test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// The room gauges follow rooms and their clients, and a room's process is
// one process start and one exit however many clients it served.
func TestRoomMetrics(t *testing.T) {
	s := startServer(t, "--room", "--metrics=127.0.0.1:0", "cat")
	url := s.metricsURL() + "/metrics"
	// A client is seated, and its room started, before its 101 is sent.
	clients := []*websocket.Conn{s.dial("/a"), s.dial("/a"), s.dial("/a"), s.dial("/b")}
	_, exposition := httpGet(t, url)
	expectMetrics(t, exposition, map[string]float64{"websocketd_rooms_active": 2,
		"websocketd_room_clients": 4, "websocketd_process_starts_total": 2})
	promtoolCheck(t, exposition)

	for _, c := range clients {
		c.Close()
	}
	waitFor(t, readTimeout, "both rooms to end", func() bool {
		_, exposition = httpGet(t, url)
		return metric(exposition, "websocketd_rooms_active") == 0
	})
	expectMetrics(t, exposition, map[string]float64{"websocketd_room_clients": 0,
		"websocketd_process_starts_total": 2})
	if exits := sumSamples(exposition, "websocketd_process_exits_total{"); exits != 2 {
		t.Fatalf("%v process exits counted, want 2 (one per room)\n%s", exits, exposition)
	}
}

// sumSamples adds up every sample whose line starts with prefix (a metric
// name and the opening of its labels).
func sumSamples(exposition, prefix string) float64 {
	sum := 0.0
	for _, line := range strings.Split(exposition, "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}
