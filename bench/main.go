//go:build !windows

// Command bench measures websocketd on loopback against ceilings measured
// in the same run: an in-process echo server and broadcaster that batch
// their writes (the strongest this program can build), the naive
// gorilla/websocket server of earlier runs, and the rate at which Go can
// start and reap `cat`. Run it with `make bench`.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

func main() {
	if code, handled := helperMain(os.Args[1:]); handled {
		os.Exit(code)
	}
	opts := defaultOptions()
	flags := opts.flagSet()
	flags.Parse(os.Args[1:])
	if err := opts.check(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	rep, err := run(opts, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if opts.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		rep.writeTable(os.Stdout)
	}
	if rep.failed() {
		os.Exit(1)
	}
}

// options are the sizes of every workload; the defaults are the figures
// BENCHMARKS.md reports, and the smoke test makes them tiny.
type options struct {
	websocketd  string
	rounds      int
	naiveRounds int // rounds in which the naive ceiling runs too
	only        string
	json        bool
	pin         bool

	echoConns, echoDepth, echoSize, echoMessages int
	pipelineMessages                             int
	binaryConns, binaryDepth, binaryMessages     int
	broadcastLines                               int
	ptyLines                                     int
	churnConns, churnParallel                    int
	idleConns                                    int
	fanoutDeliveries                             int
	fanoutClients                                [2]int // the two fan-out benchmarks' room sizes
	clusterClients                               int
	natsServer                                   string
}

func defaultOptions() options {
	return options{websocketd: "./websocketd", rounds: 3, naiveRounds: 1, pin: true,
		echoConns: 16, echoDepth: 32, echoSize: 64, echoMessages: 20000,
		pipelineMessages: 200000,
		binaryConns:      4, binaryDepth: 4, binaryMessages: 1000,
		broadcastLines: 1000000,
		ptyLines:       200000,
		churnConns:     1000, churnParallel: 4,
		idleConns: 1000, fanoutDeliveries: 10000000, fanoutClients: [2]int{100, 1000},
		clusterClients: 300, natsServer: defaultNATSServer()}
}

func (o *options) flagSet() *flag.FlagSet {
	f := flag.NewFlagSet("bench", flag.ExitOnError)
	f.StringVar(&o.websocketd, "websocketd", o.websocketd, "the websocketd binary to measure")
	f.IntVar(&o.rounds, "rounds", o.rounds, "rounds of each benchmark (websocketd and ceiling interleaved); the best counts")
	f.IntVar(&o.naiveRounds, "naive-rounds", o.naiveRounds, "rounds (of -rounds) in which the naive ceiling runs too, for rows that compare with earlier runs; 0: none")
	f.StringVar(&o.only, "only", o.only, "comma-separated benchmarks to run: "+strings.Join(benchmarkKeys(), ","))
	f.BoolVar(&o.json, "json", o.json, "print the report as JSON")
	f.BoolVar(&o.pin, "pin", o.pin, "pin the servers and the load client to different CPUs (needs 2 CPUs and taskset)")
	f.IntVar(&o.echoConns, "echo-conns", o.echoConns, "echo: connections")
	f.IntVar(&o.echoDepth, "echo-depth", o.echoDepth, "echo: messages in flight per connection")
	f.IntVar(&o.echoSize, "echo-size", o.echoSize, "echo: message size in bytes (at least 16)")
	f.IntVar(&o.echoMessages, "echo-messages", o.echoMessages, "echo: messages per connection")
	f.IntVar(&o.pipelineMessages, "pipeline-messages", o.pipelineMessages, "pipelining: messages sent without waiting")
	f.IntVar(&o.binaryConns, "binary-conns", o.binaryConns, "binary: connections")
	f.IntVar(&o.binaryDepth, "binary-depth", o.binaryDepth, "binary: 64 KiB messages in flight per connection")
	f.IntVar(&o.binaryMessages, "binary-messages", o.binaryMessages, "binary: 64 KiB messages per connection")
	f.IntVar(&o.broadcastLines, "broadcast-lines", o.broadcastLines, "broadcast: lines the child writes")
	f.IntVar(&o.ptyLines, "pty-lines", o.ptyLines, "pty: lines the child writes, with --pty and through a pipe")
	f.IntVar(&o.churnConns, "churn-conns", o.churnConns, "churn: connections opened and closed")
	f.IntVar(&o.churnParallel, "churn-parallel", o.churnParallel, "churn: connections at a time")
	f.IntVar(&o.idleConns, "idle-conns", o.idleConns, "idle memory: connections held open (room idle too)")
	f.IntVar(&o.fanoutClients[0], "fanout-clients", o.fanoutClients[0], "fan-out: clients in the room")
	f.IntVar(&o.fanoutClients[1], "fanout-large-clients", o.fanoutClients[1], "fan-out-large: clients in the room")
	f.IntVar(&o.fanoutDeliveries, "fanout-deliveries", o.fanoutDeliveries, "fan-out: lines x clients per run (lines = this / clients)")
	f.IntVar(&o.clusterClients, "cluster-clients", o.clusterClients, "cluster-fanout: clients in the room, dialled round-robin over the nodes")
	f.StringVar(&o.natsServer, "nats-server", o.natsServer, "cluster-fanout: the nats-server binary (missing: the benchmark is skipped)")
	return f
}

func (o *options) check() error {
	var errs []error
	for name, v := range map[string]int{"rounds": o.rounds, "echo-conns": o.echoConns,
		"echo-depth": o.echoDepth, "echo-messages": o.echoMessages,
		"pipeline-messages": o.pipelineMessages, "binary-conns": o.binaryConns,
		"binary-depth": o.binaryDepth, "binary-messages": o.binaryMessages,
		"broadcast-lines": o.broadcastLines, "pty-lines": o.ptyLines, "churn-conns": o.churnConns,
		"churn-parallel": o.churnParallel, "idle-conns": o.idleConns,
		"fanout-deliveries": o.fanoutDeliveries, "fanout-clients": o.fanoutClients[0],
		"fanout-large-clients": o.fanoutClients[1], "cluster-clients": o.clusterClients} {
		if v < 1 {
			errs = append(errs, fmt.Errorf("-%s must be at least 1", name))
		}
	}
	if o.naiveRounds < 0 || o.naiveRounds > o.rounds {
		errs = append(errs, errors.New("-naive-rounds must be from 0 to -rounds"))
	}
	if o.echoSize < 16 {
		errs = append(errs, errors.New("-echo-size must be at least 16"))
	}
	for _, key := range strings.Split(o.only, ",") {
		if key != "" && findBenchmark(key) == nil {
			errs = append(errs, fmt.Errorf("-only: no benchmark %q (have %s)", key, strings.Join(benchmarkKeys(), ",")))
		}
	}
	return errors.Join(errs...)
}

// selected reports whether the benchmark key is to run.
func (o *options) selected(key string) bool {
	if o.only == "" {
		return true
	}
	for _, k := range strings.Split(o.only, ",") {
		if k == key {
			return true
		}
	}
	return false
}

// run measures every selected benchmark, websocketd and its ceilings in
// turn, round after round; progress goes to progress.
func run(opts options, progress io.Writer) (*report, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b := &bench{opts: opts, self: self}
	rep := &report{Machine: describeMachine(), Rounds: opts.rounds, NaiveRounds: opts.naiveRounds}
	rep.Machine.Pinned = "no"
	if opts.pin {
		if err := b.pin(); err != nil {
			fmt.Fprintln(progress, "bench: not pinning:", err)
		} else {
			rep.Machine.Pinned = "servers on CPU " + b.serverCPU + ", load client on CPU " + clientCPU
		}
	}
	for _, bm := range benchmarks {
		if !opts.selected(bm.key) {
			continue
		}
		if bm.needs != nil {
			if err := bm.needs(b); err != nil {
				note := fmt.Sprintf("%s: skipped: %v", bm.key, err)
				fmt.Fprintln(progress, note)
				rep.Skipped = append(rep.Skipped, note)
				continue
			}
		}
		rep.Rows = append(rep.Rows, b.measure(bm, progress)...)
	}
	return rep, nil
}

// The CPUs the servers (with their children) and the load client use.
const (
	serverCPU = "0"
	clientCPU = "1"
)

// pin moves this process (the load client) to its own CPU and has the
// servers started on the other.
func (b *bench) pin() error {
	if n := describeMachine().CPUs; n < 2 {
		return fmt.Errorf("%d CPU", n)
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return err
	}
	out, err := exec.Command("taskset", "-a", "-p", "-c", clientCPU, fmt.Sprint(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset: %v: %s", err, out)
	}
	b.serverCPU = serverCPU
	return nil
}
