//go:build pprof

package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // registers the /debug/pprof/ handlers
	"os"
	"runtime"
)

// A binary built with -tags pprof serves net/http/pprof on the loopback
// address in WEBSOCKETD_PPROF (e.g. 127.0.0.1:6060), for profiling under
// the benchmarks. Release builds do not have it.
func init() {
	addr := os.Getenv("WEBSOCKETD_PPROF")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "websocketd: WEBSOCKETD_PPROF=%q: want a loopback host:port\n", addr)
		os.Exit(1)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "websocketd: pprof:", err)
		os.Exit(1)
	}
	runtime.MemProfileRate = 1 << 10 // fine-grained: per-connection costs are a few KB
	go http.Serve(l, nil)
}
