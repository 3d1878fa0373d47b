//go:build !windows

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// websocketdBinary is the websocketd built once for the smoke run.
var websocketdBinary string

func TestMain(m *testing.M) {
	// The ceilings re-execute this binary: serve them, not the tests.
	if code, handled := helperMain(os.Args[1:]); handled {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "websocketd-bench-")
	if err != nil {
		panic(err)
	}
	websocketdBinary = filepath.Join(dir, "websocketd")
	args := []string{"build", "-o", websocketdBinary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "..")...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building websocketd:", err)
		os.Exit(1)
	}
	os.Setenv("GORACE", "atexit_sleep_ms=0") // else a second at every exit
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestSmokeRun runs every benchmark once with tiny sizes, so that the
// bench program cannot rot: every message must come back intact (the
// workloads check each one) and every figure must be a real one.
func TestSmokeRun(t *testing.T) {
	opts := defaultOptions()
	opts.websocketd, opts.rounds, opts.pin = websocketdBinary, 1, false
	opts.echoConns, opts.echoDepth, opts.echoMessages = 4, 4, 200
	opts.pipelineMessages = 2000
	opts.binaryConns, opts.binaryDepth, opts.binaryMessages = 2, 2, 20
	opts.broadcastLines, opts.ptyLines = 2000, 2000
	opts.churnConns, opts.idleConns = 20, 20
	opts.fanoutClients, opts.fanoutDeliveries = [2]int{3, 10}, 2000
	opts.clusterClients = 6
	natsMissing := (&bench{opts: opts}).needNATS()
	if natsMissing != nil && os.Getenv("CI") != "" {
		t.Fatalf("CI needs nats-server for cluster-fanout (.ci/run installs it): %v", natsMissing)
	}
	if err := opts.check(); err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	rep, err := run(opts, &progress)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	rep.writeTable(&table)
	t.Logf("progress:\n%s\nreport:\n%s", &progress, &table)
	if rep.failed() {
		t.Fatal("some runs failed (see the report above)")
	}
	figures := 0
	for _, bm := range benchmarks {
		if bm.key == "cluster-fanout" && natsMissing != nil {
			t.Logf("cluster-fanout not measured: %v", natsMissing)
			continue
		}
		for _, f := range bm.figures {
			figures++
			if f.vsNaive && bm.naive != nil {
				figures++
			}
		}
	}
	if len(rep.Rows) != figures {
		t.Fatalf("got %d rows, want %d (one per figure of every benchmark, and one per figure against the naive ceiling)",
			len(rep.Rows), figures)
	}
	for _, row := range rep.Rows {
		if len(row.Ours) != 1 || len(row.Ceiling) != 1 {
			t.Errorf("%s: %d websocketd and %d ceiling figures, want one each", row.Name, len(row.Ours), len(row.Ceiling))
		}
		if strings.Contains(row.Name, "CPU") || row.Unit == "KB/conn" {
			continue // too coarse to be sure of at these sizes (10 ms ticks, pages)
		}
		if !(row.BestOurs > 0 && row.BestCeiling > 0 && row.Ratio > 0) {
			t.Errorf("%s: websocketd %v, ceiling %v, ratio %v: want all > 0", row.Name, row.BestOurs, row.BestCeiling, row.Ratio)
		}
	}
}

// TestClusterFanoutSkippedWithoutNATS: where nats-server is missing, the
// cluster benchmark is noted as skipped, not failed.
func TestClusterFanoutSkippedWithoutNATS(t *testing.T) {
	opts := defaultOptions()
	opts.websocketd, opts.rounds, opts.pin, opts.only = websocketdBinary, 1, false, "cluster-fanout"
	opts.natsServer = filepath.Join(t.TempDir(), "nats-server")
	var progress strings.Builder
	rep, err := run(opts, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if rep.failed() || len(rep.Rows) != 0 {
		t.Fatalf("got %d rows (failed: %v), want none", len(rep.Rows), rep.failed())
	}
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "cluster-fanout: skipped: no nats-server") {
		t.Fatalf("skipped %q, want the cluster-fanout note", rep.Skipped)
	}
	var table strings.Builder
	rep.writeTable(&table)
	if !strings.Contains(table.String(), rep.Skipped[0]) {
		t.Fatalf("the table does not show the note:\n%s", &table)
	}
}

// damagingEcho echoes every message but the one numbered bad, which it
// changes: the load checks must notice.
func damagingEcho(t *testing.T, bad int) string {
	upgrader := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for i := 0; ; i++ {
			messageType, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if i == bad {
				data[len(data)-1] ^= 1
			}
			if conn.WriteMessage(messageType, data) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

func TestEchoLoadNoticesDamage(t *testing.T) {
	url := damagingEcho(t, 30)
	if _, err := (echoLoad{conns: 1, depth: 4, size: 64, perConn: 50}).run(url); err == nil {
		t.Fatal("a damaged text message went unnoticed")
	}
	if _, _, err := (binaryLoad{conns: 1, depth: 2, perConn: 5}).run(damagingEcho(t, 3)); err == nil {
		t.Fatal("a damaged binary message went unnoticed")
	}
	if _, err := (echoLoad{conns: 2, depth: 4, size: 64, perConn: 50}).run(damagingEcho(t, -1)); err != nil {
		t.Fatalf("an intact echo was reported damaged: %v", err)
	}
}
