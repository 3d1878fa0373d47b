//go:build !windows

package test

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Clients nobody here wrote, for the protocol tests: the npm `ws` package
// (installed by .ci/run into test/node_modules from test/package.json)
// and Debian's python3-websockets (clients_helpers_test.go). Without one the test
// is skipped, except in CI, where its absence is a failure.

// clientTimeout bounds one run of an outside client.
const clientTimeout = 60 * time.Second

// runNode runs a JavaScript program with the npm `ws` package reachable
// as require('ws'), and returns what it printed on stdout.
func runNode(t *testing.T, program string, env ...string) []byte {
	t.Helper()
	return startNode(t, program, env...).wait(t)
}

// startNode starts what runNode runs, and leaves it running.
func startNode(t *testing.T, program string, env ...string) *runningClient {
	t.Helper()
	node := requireTool(t, "node")
	modules, _ := filepath.Abs("node_modules")
	_, err := os.Stat(filepath.Join(modules, "ws", "package.json"))
	if err != nil && os.Getenv("CI") != "" {
		t.Fatalf("CI needs the npm ws package (.ci/run installs it): %v", err)
	} else if err != nil {
		t.Skipf("no npm ws package (cd test && npm install): %v", err)
	}
	path := filepath.Join(t.TempDir(), "client.js")
	if err := os.WriteFile(path, []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	return startClient(t, append(env, "NODE_PATH="+modules), node, path)
}

// runPythonWebsockets runs a Python program that imports websockets.
func runPythonWebsockets(t *testing.T, program string, env ...string) []byte {
	t.Helper()
	return runClient(t, env, debianPython(t), "-c", program)
}

// runClient runs a client program with env added to the test's own, and
// returns its stdout; a failure or a non-zero exit fails the test.
func runClient(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	return startClient(t, env, name, args...).wait(t)
}

// runningClient is a client program started by startClient.
type runningClient struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	waited         chan struct{} // closed once the program has exited
	err            error
}

// startClient starts what runClient runs; the program is killed if it
// outlives clientTimeout or the test.
func startClient(t *testing.T, env []string, name string, args ...string) *runningClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	c := &runningClient{cmd: exec.CommandContext(ctx, name, args...), waited: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: %v", name, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		cancel()
		close(c.waited)
	}()
	t.Cleanup(func() {
		cancel()
		<-c.waited
		if t.Failed() {
			t.Logf("%s, stopped at the test's end (%v); stdout:\n%s\nstderr:\n%s",
				name, c.err, lastBytes(c.stdout.String(), 2000), lastBytes(c.stderr.String(), 2000))
		}
	})
	return c
}

// lastBytes is the end of a long output, which says most of how it ended.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// wait waits for the program's exit and returns its stdout; a failure or
// a non-zero exit fails the test.
func (c *runningClient) wait(t *testing.T) []byte {
	t.Helper()
	<-c.waited
	out := []byte(c.stdout.String())
	if c.err != nil {
		t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", c.cmd.Args[0], c.err, out, c.stderr.String())
	}
	return out
}

// countingProxy relays TCP connections on loopback to a server and counts
// the bytes that cross it each way: what a compressed session saves is
// seen on the wire, not taken on trust.
type countingProxy struct {
	addr     string
	toServer atomic.Int64
	toClient atomic.Int64
	wg       sync.WaitGroup
}

func startCountingProxy(t *testing.T, server string) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	p.wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.relay(client, server) })
		}
	})
	return p
}

func (p *countingProxy) relay(client net.Conn, server string) {
	defer client.Close()
	upstream, err := net.DialTimeout("tcp", server, readTimeout)
	if err != nil {
		return
	}
	defer upstream.Close()
	done := make(chan struct{})
	go func() {
		p.copy(upstream, client, &p.toServer)
		close(done)
	}()
	p.copy(client, upstream, &p.toClient)
	<-done
}

// copy moves bytes one way, counting them as they go; at the end it
// closes both, so the other way ends too.
func (p *countingProxy) copy(dst, src net.Conn, count *atomic.Int64) {
	io.Copy(countingWriter{dst, count}, src)
	dst.Close()
	src.Close()
}

type countingWriter struct {
	w     io.Writer
	count *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.count.Add(int64(n))
	return n, err
}

// total is every byte that crossed, both ways.
func (p *countingProxy) total() int64 { return p.toServer.Load() + p.toClient.Load() }
