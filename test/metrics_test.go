//go:build !windows

package test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var metricsLine = regexp.MustCompile(`metrics on (http://[^ ]+)/metrics`)

// metricsURL is the base URL the server logged for --metrics=127.0.0.1:0.
func (s *server) metricsURL() string {
	s.t.Helper()
	m := metricsLine.FindStringSubmatch(s.out.String())
	if m == nil {
		s.t.Fatalf("no metrics address in the log:\n%s", s.out)
	}
	return m[1]
}

func httpGet(t testing.TB, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: readTimeout}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// metric returns the value of one sample (name with its labels, exactly
// as exposed), or -1 when it is absent.
func metric(exposition, sample string) float64 {
	for _, line := range strings.Split(exposition, "\n") {
		if value, ok := strings.CutPrefix(line, sample+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// expectMetrics checks samples against wanted values.
func expectMetrics(t *testing.T, exposition string, want map[string]float64) {
	t.Helper()
	for sample, value := range want {
		if got := metric(exposition, sample); got != value {
			t.Errorf("%s = %v, want %v", sample, got, value)
		}
	}
}

// promtoolCheck validates an exposition with Prometheus's own linter.
func promtoolCheck(t *testing.T, exposition string) {
	t.Helper()
	promtool := requireTool(t, "promtool")
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(exposition)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// A scrape during a load counts exactly what the test did; after it, the
// sessions are counted by outcome and their processes by exit status.
func TestMetricsCountALoad(t *testing.T) {
	const sessions, messages = 4, 10
	dir := t.TempDir()
	// An echo child exits 0 however its stop comes: at the end of its
	// stdin, or on the SIGINT or SIGTERM that follow it when a loaded
	// machine has not let it run within a step. Only SIGKILL, three
	// steps (of 500 ms with --closems=400) after, could change its status.
	writeFiles(t, dir, map[string]string{"echo.sh": "#!/bin/sh\ntrap 'exit 0' INT TERM\ncat\n",
		"stubborn.sh": "#!/bin/sh\ntrap '' INT TERM\necho ready\nexec sleep 300\n"})
	s := startServer(t, "--metrics=127.0.0.1:0", "--origin=allowed.example", "--closems=400", "--dir="+dir)
	metricsURL := s.metricsURL()
	var conns []*websocket.Conn
	bytesSent := 0
	for i := range sessions {
		c := s.dial("/echo.sh")
		conns = append(conns, c)
		for j := range messages {
			message := fmt.Sprintf("session %d message %d", i, j)
			echoOnce(t, c, message)
			bytesSent += len(message)
		}
	}
	for range 2 {
		if got := s.dialStatus("/echo.sh", http.Header{"Origin": {"http://evil.example"}}); got != http.StatusForbidden {
			t.Fatalf("bad origin: status %d", got)
		}
	}
	_, during := httpGet(t, metricsURL+"/metrics")
	expectMetrics(t, during, map[string]float64{
		"websocketd_sessions_active":                         sessions,
		"websocketd_process_starts_total":                    sessions,
		`websocketd_messages_total{direction="in"}`:          sessions * messages,
		`websocketd_messages_total{direction="out"}`:         sessions * messages,
		`websocketd_message_bytes_total{direction="in"}`:     float64(bytesSent),
		`websocketd_message_bytes_total{direction="out"}`:    float64(bytesSent),
		`websocketd_upgrades_refused_total{status="403"}`:    2,
		`websocketd_sessions_total{outcome="client_closed"}`: -1,
	})
	promtoolCheck(t, during)

	for _, c := range conns {
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
			time.Now().Add(readTimeout))
	}
	stubborn := s.dial("/stubborn.sh")
	// Closed only once its traps are set: a child still starting would
	// die of SIGINT, and the sequence never reach SIGKILL.
	expectText(t, stubborn, "ready")
	stubborn.Close() // the stop sequence has to go all the way to SIGKILL
	var after string
	waitFor(t, readTimeout, "every session to be counted as ended", func() bool {
		_, after = httpGet(t, metricsURL+"/metrics")
		return metric(after, "websocketd_sessions_active") == 0 &&
			metric(after, "websocketd_session_duration_seconds_count") == sessions+1
	})
	expectMetrics(t, after, map[string]float64{
		`websocketd_sessions_total{outcome="client_closed"}`: sessions + 1,
		`websocketd_process_exits_total{status="0"}`:         sessions,
		`websocketd_process_exits_total{status="SIGKILL"}`:   1,
		`websocketd_stop_steps_total{step="stdin_closed"}`:   sessions + 1,
		`websocketd_stop_steps_total{step="SIGKILL"}`:        1,
	})
	promtoolCheck(t, after)
}

// /healthz says 200 while serving and 503 once shutting down, while the
// sessions are still being ended.
func TestMetricsHealthzDuringShutdown(t *testing.T) {
	s := startServer(t, "--metrics=127.0.0.1:0", "--closems=3000",
		script(t, "stubborn.sh", "trap '' INT TERM\necho ready\nexec sleep 300\n"))
	healthz := s.metricsURL() + "/healthz"
	if status, body := httpGet(t, healthz); status != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz while serving: %d %q", status, body)
	}
	c := s.dial("/")
	expectText(t, c, "ready") // its traps are set: the signals will be ignored
	// Not read any more: its close frame goes unanswered.
	waitFor(t, readTimeout, "the session to be counted", func() bool {
		_, metrics := httpGet(t, s.metricsURL()+"/metrics")
		return metric(metrics, "websocketd_sessions_active") == 1
	})
	s.cmd.Process.Signal(syscall.SIGTERM)
	waitFor(t, readTimeout, "/healthz to say 503", func() bool {
		status, _ := httpGet(t, healthz)
		return status == http.StatusServiceUnavailable
	})
	if _, metrics := httpGet(t, s.metricsURL()+"/metrics"); metric(metrics, "websocketd_sessions_active") != 1 {
		t.Errorf("the session should still be counted while it is ended:\n%s", metrics)
	}
}

func TestMetricsAddressInUseExits3(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	s := startProcessOnly(t, "--port=0", "--metrics="+taken.Addr().String(), "cat")
	if code := s.wait(readTimeout); code != 3 || !strings.Contains(s.out.String(), "--metrics") {
		t.Fatalf("exit %d, output %q; want 3 and a message naming --metrics", code, s.out)
	}
}
