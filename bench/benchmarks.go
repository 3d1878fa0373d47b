//go:build !windows

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// bench holds what every measurement needs.
type bench struct {
	opts      options
	self      string // this program, re-executed for the ceilings
	serverCPU string // taskset CPU list for the servers; empty: not pinned
}

// measurement is one run of one side (websocketd, ceiling or naive
// ceiling) of a benchmark.
type measurement struct {
	value      float64       // the benchmark's figure, in its unit
	p50, p99   time.Duration // echo latency
	cpuPer100k time.Duration // server and children CPU per 100,000 messages (echo) or deliveries (cluster fan-out)
}

// benchmark is one workload, run against websocketd and against its
// ceiling, and the figures reported for it. Where the ceiling is the
// batching server, the naive server runs the load too, for rows that
// compare with the figures of earlier runs.
type benchmark struct {
	key                  string
	title                func(o options) string // names the load, for the first row
	ours, ceiling, naive func(b *bench) (measurement, error)
	figures              []figure
	// needs, when set, says why the benchmark cannot run here (a
	// program it needs is missing): it is skipped with that note.
	needs func(b *bench) error
}

// figure is one row of the report: how to read it from a measurement and
// what it is expected to reach. The first figure's name is the benchmark's
// title.
type figure struct {
	name, unit    string
	get           func(measurement) float64
	lowerIsBetter bool
	target        target
	vsNaive       bool // also report it against the naive ceiling
}

func value(m measurement) float64 { return m.value }

var benchmarks = []benchmark{
	{key: "echo", ours: (*bench).echoOurs, ceiling: (*bench).echoCeiling, naive: (*bench).echoNaive, title: func(o options) string {
		return fmt.Sprintf("echo: %d conns x %d in flight x %d B", o.echoConns, o.echoDepth, o.echoSize)
	}, figures: []figure{
		// On one saturated CPU, msg/s is the inverse of the CPU per
		// message: this is the CPU target below, seen as a rate.
		{unit: "msg/s", get: value, vsNaive: true,
			target: target{ratioAtLeast, 0.50}},
		{name: "  latency p50", unit: "µs", lowerIsBetter: true,
			get: func(m measurement) float64 { return float64(m.p50) / 1e3 }},
		{name: "  latency p99", unit: "µs", lowerIsBetter: true,
			get: func(m measurement) float64 { return float64(m.p99) / 1e3 }},
		// The process hop costs at least two pipe system calls per
		// batch, which the ceiling does not pay.
		{name: "  CPU per 100,000 messages", unit: "ms", lowerIsBetter: true, vsNaive: true,
			get:    func(m measurement) float64 { return float64(m.cpuPer100k) / 1e6 },
			target: target{ratioAtMost, 2}},
	}},
	{key: "pipeline", ours: (*bench).pipelineOurs, ceiling: (*bench).pipelineCeiling, naive: (*bench).pipelineNaive, title: func(o options) string {
		return fmt.Sprintf("pipelining: 1 conn, %d x 64 B unawaited", o.pipelineMessages)
	}, figures: []figure{
		{unit: "msg/s", get: value, vsNaive: true,
			target: target{atLeast, 100000}},
	}},
	{key: "binary", ours: (*bench).binaryOurs, ceiling: (*bench).binaryCeiling, naive: (*bench).binaryNaive, title: func(o options) string {
		return fmt.Sprintf("binary: %d conns x %d in flight x 64 KiB", o.binaryConns, o.binaryDepth)
	}, figures: []figure{
		{unit: "MB/s", get: value, vsNaive: true,
			target: target{ratioAtLeast, 0.90}},
	}},
	// The cost of compression: the same echo, compressed both ways,
	// against websocketd without it as the "ceiling".
	{key: "compress", ours: (*bench).compressOurs, ceiling: (*bench).echoOurs, title: func(o options) string {
		return fmt.Sprintf("compressed echo (ceiling: uncompressed): %d conns x %d in flight x %d B",
			o.echoConns, o.echoDepth, o.echoSize)
	}, figures: []figure{
		{unit: "msg/s", get: value},
		{name: "  CPU per 100,000 messages", unit: "ms", lowerIsBetter: true,
			get: func(m measurement) float64 { return float64(m.cpuPer100k) / 1e6 }},
	}},
	{key: "framed", ours: (*bench).framedOurs, ceiling: (*bench).binaryCeiling, naive: (*bench).binaryNaive, title: func(o options) string {
		return fmt.Sprintf("framed binary: %d conns x %d in flight x 64 KiB", o.binaryConns, o.binaryDepth)
	}, figures: []figure{
		{unit: "MB/s", get: value, vsNaive: true},
	}},
	{key: "broadcast", ours: (*bench).broadcastOurs, ceiling: (*bench).broadcastCeiling, naive: (*bench).broadcastNaive, title: func(o options) string {
		return fmt.Sprintf("broadcast: %d lines to 1 client", o.broadcastLines)
	}, figures: []figure{
		{unit: "lines/s", get: value, vsNaive: true},
	}},
	{key: "pty", ours: (*bench).ptyOurs, ceiling: (*bench).ptyPipe, title: func(o options) string {
		return fmt.Sprintf("pty: %d lines to 1 client, --pty (vs pipe)", o.ptyLines)
	}, figures: []figure{
		{unit: "lines/s", get: value},
	}},
	{key: "churn", ours: (*bench).churnOurs, ceiling: (*bench).churnCeiling, title: func(o options) string {
		return fmt.Sprintf("churn: %d x (connect, round trip, close), %d at a time", o.churnConns, o.churnParallel)
	}, figures: []figure{
		{unit: "conn/s", get: value,
			target: target{ratioAtLeast, 0.80}},
	}},
	{key: "fanout", title: func(o options) string { return fanoutTitle(o, o.fanoutClients[0]) },
		ours:    func(b *bench) (measurement, error) { return b.fanoutOurs(b.opts.fanoutClients[0]) },
		ceiling: func(b *bench) (measurement, error) { return b.fanoutCeiling(b.opts.fanoutClients[0], b.batchingServer) },
		naive:   func(b *bench) (measurement, error) { return b.fanoutCeiling(b.opts.fanoutClients[0], b.naiveServer) },
		figures: []figure{{unit: "deliv/s", get: value, vsNaive: true, target: target{ratioAtLeast, 0.90}}}},
	{key: "fanout-large", title: func(o options) string { return fanoutTitle(o, o.fanoutClients[1]) },
		ours:    func(b *bench) (measurement, error) { return b.fanoutOurs(b.opts.fanoutClients[1]) },
		ceiling: func(b *bench) (measurement, error) { return b.fanoutCeiling(b.opts.fanoutClients[1], b.batchingServer) },
		naive:   func(b *bench) (measurement, error) { return b.fanoutCeiling(b.opts.fanoutClients[1], b.naiveServer) },
		figures: []figure{{unit: "deliv/s", get: value, vsNaive: true, target: target{ratioAtLeast, 0.90}}}},
	{key: "cluster-fanout", needs: (*bench).needNATS, ours: (*bench).clusterFanoutOurs, ceiling: (*bench).clusterFanoutSingle,
		title: func(o options) string {
			return fmt.Sprintf("cluster fan-out: 1 room, %d lines to %d clients over %d nodes and NATS (ceiling: 1 node)",
				max(1, o.fanoutDeliveries/o.clusterClients), o.clusterClients, clusterNodes)
		}, figures: []figure{
			{unit: "deliv/s", get: value},
			{name: "  CPU per 100,000 deliveries", unit: "ms", lowerIsBetter: true,
				get: func(m measurement) float64 { return float64(m.cpuPer100k) / 1e6 }},
		}},
	{key: "roomidle", ours: (*bench).roomIdleOurs, ceiling: (*bench).roomIdleCeiling, title: func(o options) string {
		return fmt.Sprintf("room idle: server RSS growth over %d room clients (ceiling: naive)", o.idleConns)
	}, figures: []figure{
		{unit: "KB/conn", get: value, lowerIsBetter: true,
			target: target{atMost, 3}}, // issue 23
	}},
	{key: "idle", ours: (*bench).idleOurs, ceiling: (*bench).idleCeiling, title: func(o options) string {
		return fmt.Sprintf("idle: server RSS growth over %d conns (ceiling: naive)", o.idleConns)
	}, figures: []figure{
		{unit: "KB/conn", get: value, lowerIsBetter: true,
			target: target{atMost, 6}}, // issue 23
	}},
}

func fanoutTitle(o options, clients int) string {
	return fmt.Sprintf("fan-out: 1 room, %d lines to %d clients", max(1, o.fanoutDeliveries/clients), clients)
}

func benchmarkKeys() []string {
	keys := make([]string, len(benchmarks))
	for i, bm := range benchmarks {
		keys[i] = bm.key
	}
	return keys
}

func findBenchmark(key string) *benchmark {
	for i := range benchmarks {
		if benchmarks[i].key == key {
			return &benchmarks[i]
		}
	}
	return nil
}

// websocketd starts the binary under test on a loopback port.
func (b *bench) websocketd(args ...string) (*serverProc, error) {
	argv := append([]string{b.opts.websocketd, "--address=127.0.0.1", "--port=0"}, args...)
	return startServer(b.serverCPU, argv...)
}

// batchingServer starts the strong ceiling (batchecho.go), naiveServer
// the naive one (ceiling.go).
func (b *bench) batchingServer() (*serverProc, error) {
	return startServer(b.serverCPU, b.self, ceilingBatchingArg)
}

func (b *bench) naiveServer() (*serverProc, error) {
	return startServer(b.serverCPU, b.self, ceilingNaiveArg)
}

// withServer runs measure against a fresh server and stops it after; a
// server that does not stop cleanly fails the measurement.
func withServer(s *serverProc, err error, measure func(s *serverProc) (measurement, error)) (measurement, error) {
	if err != nil {
		return measurement{}, err
	}
	m, err := measure(s)
	if err != nil {
		s.kill()
		return m, err
	}
	return m, s.stop()
}

// measureEcho runs load against s and reads the CPU that s and its
// children spent on it, once the children are reaped.
func measureEcho(s *serverProc, load echoLoad) (measurement, error) {
	before, err := readCPU(s.pid)
	if err != nil {
		return measurement{}, err
	}
	result, err := load.run(s.url("/"))
	if err != nil {
		return measurement{}, err
	}
	if err := waitNoChildren(s.pid, stallTimeout); err != nil {
		return measurement{}, err
	}
	after, err := readCPU(s.pid)
	if err != nil {
		return measurement{}, err
	}
	cpu := after.sub(before).total()
	return measurement{value: result.rate(), p50: result.percentile(0.50), p99: result.percentile(0.99),
		cpuPer100k: cpu * 100000 / time.Duration(result.messages)}, nil
}

func (b *bench) echoLoad() echoLoad {
	o := b.opts
	return echoLoad{conns: o.echoConns, depth: o.echoDepth, size: o.echoSize, perConn: o.echoMessages}
}

func (b *bench) echoOurs() (measurement, error) {
	s, err := b.websocketd("cat")
	return withServer(s, err, func(s *serverProc) (measurement, error) { return measureEcho(s, b.echoLoad()) })
}

func (b *bench) echoCeiling() (measurement, error) { return b.echoOn(b.batchingServer, b.echoLoad()) }
func (b *bench) echoNaive() (measurement, error)   { return b.echoOn(b.naiveServer, b.echoLoad()) }

// echoOn runs load against a fresh ceiling server.
func (b *bench) echoOn(start func() (*serverProc, error), load echoLoad) (measurement, error) {
	s, err := start()
	return withServer(s, err, func(s *serverProc) (measurement, error) { return measureEcho(s, load) })
}

// pipelineLoad is one connection with every message in flight at once.
func (b *bench) pipelineLoad() echoLoad {
	n := b.opts.pipelineMessages
	return echoLoad{conns: 1, depth: n, size: 64, perConn: n}
}

func (b *bench) pipelineOurs() (measurement, error) {
	s, err := b.websocketd("cat")
	return withServer(s, err, func(s *serverProc) (measurement, error) { return measureEcho(s, b.pipelineLoad()) })
}

func (b *bench) pipelineCeiling() (measurement, error) {
	return b.echoOn(b.batchingServer, b.pipelineLoad())
}

func (b *bench) pipelineNaive() (measurement, error) {
	return b.echoOn(b.naiveServer, b.pipelineLoad())
}

func (b *bench) measureBinary(s *serverProc) (measurement, error) {
	o := b.opts
	bytes, elapsed, err := binaryLoad{o.binaryConns, o.binaryDepth, o.binaryMessages}.run(s.url("/"))
	return measurement{value: float64(bytes) / 1e6 / elapsed.Seconds()}, err
}

func (b *bench) binaryOurs() (measurement, error) {
	s, err := b.websocketd("--binary", "cat")
	return withServer(s, err, b.measureBinary)
}

func (b *bench) binaryCeiling() (measurement, error) {
	s, err := b.batchingServer()
	return withServer(s, err, b.measureBinary)
}

func (b *bench) binaryNaive() (measurement, error) {
	s, err := b.naiveServer()
	return withServer(s, err, b.measureBinary)
}

func (b *bench) compressOurs() (measurement, error) {
	s, err := b.websocketd("--compress", "cat")
	load := b.echoLoad()
	load.compress = true
	return withServer(s, err, func(s *serverProc) (measurement, error) { return measureEcho(s, load) })
}

// framedOurs is the binary load through --framed: each 64 KiB message
// crosses the pipes with its header and comes back whole.
func (b *bench) framedOurs() (measurement, error) {
	s, err := b.websocketd("--framed", "cat")
	return withServer(s, err, b.measureBinary)
}

func measureLines(url string, lines int) (measurement, error) {
	elapsed, err := readLines(url, lines)
	return measurement{value: float64(lines) / elapsed.Seconds()}, err
}

func (b *bench) broadcastOurs() (measurement, error) {
	return b.seqLines(b.opts.broadcastLines)
}

func (b *bench) broadcastCeiling() (measurement, error) { return b.seqOn(b.batchingServer) }
func (b *bench) broadcastNaive() (measurement, error)   { return b.seqOn(b.naiveServer) }

// seqOn times the broadcast load against a ceiling's /seq.
func (b *bench) seqOn(start func() (*serverProc, error)) (measurement, error) {
	s, err := start()
	return withServer(s, err, func(s *serverProc) (measurement, error) {
		return measureLines(s.url("/seq?n="+strconv.Itoa(b.opts.broadcastLines)), b.opts.broadcastLines)
	})
}

// seqLines times the lines of `seq` through websocketd with args. Its
// "ceiling" for --pty is the same through a pipe: the ratio is what the
// pseudo-terminal costs, seq writing each line as it is printed instead
// of in blocks of 4 KiB.
func (b *bench) seqLines(lines int, args ...string) (measurement, error) {
	s, err := b.websocketd(append(args, "seq", strconv.Itoa(lines))...)
	return withServer(s, err, func(s *serverProc) (measurement, error) { return measureLines(s.url("/"), lines) })
}

func (b *bench) ptyOurs() (measurement, error) { return b.seqLines(b.opts.ptyLines, "--pty") }
func (b *bench) ptyPipe() (measurement, error) { return b.seqLines(b.opts.ptyLines) }

func (b *bench) churnOurs() (measurement, error) {
	s, err := b.websocketd("cat")
	return withServer(s, err, func(s *serverProc) (measurement, error) {
		elapsed, err := churn(s.url("/"), s.pid, b.opts.churnConns, b.opts.churnParallel)
		return measurement{value: float64(b.opts.churnConns) / elapsed.Seconds()}, err
	})
}

// churnCeiling runs the spawn ceiling as its own process, pinned like a
// server.
func (b *bench) churnCeiling() (measurement, error) {
	argv := []string{b.self, ceilingSpawnArg, strconv.Itoa(b.opts.churnConns), strconv.Itoa(b.opts.churnParallel)}
	if b.serverCPU != "" {
		argv = append([]string{"taskset", "-c", b.serverCPU}, argv...)
	}
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return measurement{}, fmt.Errorf("spawn ceiling: %v: %s", err, exitErr.Stderr)
	} else if err != nil {
		return measurement{}, err
	}
	var result spawnResult
	if err := json.Unmarshal(out, &result); err != nil {
		return measurement{}, fmt.Errorf("spawn ceiling said %q: %v", out, err)
	}
	return measurement{value: float64(result.Count) / result.Elapsed.Seconds()}, nil
}

func (b *bench) measureIdle(s *serverProc) (measurement, error) {
	perConn, err := idleGrowth(s.url("/"), s.pid, b.opts.idleConns)
	return measurement{value: perConn / 1024}, err
}

func (b *bench) idleOurs() (measurement, error) {
	s, err := b.websocketd("cat")
	return withServer(s, err, b.measureIdle)
}

// idleCeiling is the naive server: the batching one holds two 64 KiB
// buffers per connection, a cost of its design, not a ceiling on memory.
func (b *bench) idleCeiling() (measurement, error) {
	s, err := b.naiveServer()
	return withServer(s, err, b.measureIdle)
}

// measure runs the sides of bm, interleaved, round after round (the
// naive ceiling only in the first opts.naiveRounds), and turns what they
// measured into the report's rows.
func (b *bench) measure(bm benchmark, progress io.Writer) []row {
	var ours, ceiling, naive []measurement
	var errs []error
	for round := 1; round <= b.opts.rounds; round++ {
		sides := []benchSide{{"websocketd", bm.ours, &ours}, {"ceiling", bm.ceiling, &ceiling}}
		if bm.naive != nil && round <= b.opts.naiveRounds {
			sides = append(sides, benchSide{"naive ceiling", bm.naive, &naive})
		}
		for _, side := range sides {
			fmt.Fprintf(progress, "%s: round %d, %s...", bm.key, round, side.name)
			m, err := side.measure(b)
			if err != nil {
				fmt.Fprintf(progress, " failed: %v\n", err)
				errs = append(errs, fmt.Errorf("%s round %d: %w", side.name, round, err))
				continue
			}
			fmt.Fprintf(progress, " %.6g %s\n", bm.figures[0].get(m), bm.figures[0].unit)
			*side.into = append(*side.into, m)
		}
	}
	return bm.rows(b.opts, ours, ceiling, naive, errs)
}

// benchSide is one of the servers a benchmark measures.
type benchSide struct {
	name    string
	measure func(*bench) (measurement, error)
	into    *[]measurement
}

// rows are the benchmark's figures against its ceiling, then those
// marked vsNaive against the naive ceiling, when it ran.
func (bm benchmark) rows(o options, ours, ceiling, naive []measurement, errs []error) []row {
	var rows []row
	for i, f := range bm.figures {
		name := f.name
		if i == 0 {
			name = bm.title(o)
		}
		rows = append(rows, f.row(name, ours, ceiling, errs))
	}
	if bm.naive == nil || o.naiveRounds == 0 {
		return rows
	}
	for i, f := range bm.figures {
		if !f.vsNaive {
			continue
		}
		name := "  vs naive ceiling"
		if i > 0 {
			name += ": " + strings.TrimSpace(f.name)
		}
		f.target = target{} // the targets are against the strong ceiling
		rows = append(rows, f.row(name, ours, naive, errs))
	}
	return rows
}
