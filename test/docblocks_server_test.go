//go:build !windows

package test

import (
	"context"
	"strings"
	"syscall"
	"time"
)

// startServer runs a server block and waits for websocketd's serving line,
// which names the port the clients that follow are pointed at.
func (r *docRun) startServer(where, code string) {
	r.t.Helper()
	r.out, r.done = &syncBuffer{}, make(chan struct{})
	r.server = r.command(context.Background(), "sh", "-e", "-c", code)
	r.server.Stdout, r.server.Stderr = r.out, r.out
	if err := r.server.Start(); err != nil {
		r.t.Fatalf("%s: %v", where, err)
	}
	go func() { r.server.Wait(); close(r.done) }()
	deadline := time.After(docTimeout)
	for {
		changed := r.out.changed()
		if m := servingLine.FindStringSubmatch(r.out.String()); m != nil {
			r.port = m[2][strings.LastIndex(m[2], ":")+1:]
			return
		}
		select {
		case <-changed:
		case <-r.done:
			r.t.Fatalf("%s: the server block ended before serving: %v\n%s", where, r.server.ProcessState, r.out)
		case <-deadline:
			r.t.Fatalf("%s: no serving line within %v:\n%s", where, docTimeout, r.out)
		}
	}
}

// stopServer ends the running server block, if any, as Ctrl-C would: its
// whole process group gets SIGTERM, and websocketd must exit cleanly.
func (r *docRun) stopServer() {
	if r.server == nil {
		return
	}
	pgid := r.server.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(docTimeout):
		r.t.Errorf("a server block did not end within %v of SIGTERM:\n%s", docTimeout, r.out)
	}
	syscall.Kill(-pgid, syscall.SIGKILL) // anything the block left behind
	<-r.done
	if strings.Contains(r.out.String(), "DATA RACE") {
		r.t.Errorf("the race detector found a data race in websocketd:\n%s", r.out)
	}
	r.server = nil
}

// runClient runs a client block against the server; it passes once its
// output holds the words of prints in order, or, with nothing to print,
// when it ends with status 0 by itself.
func (r *docRun) runClient(where, prints, name string, args ...string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), docTimeout)
	defer cancel()
	out := &syncBuffer{}
	cmd := r.command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("%s: %v", where, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	want := strings.Join(strings.Fields(prints), " ")
	for {
		changed := out.changed()
		if prints != "" && strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			return
		}
		select {
		case <-changed:
		case err := <-done:
			if err != nil || prints != "" && !strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
				r.t.Errorf("%s: %v; want %q in its output:\n%s\nserver:\n%s", where, err, prints, out, r.out)
			}
			return
		}
	}
}
