package libwebsocketd

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/websocketd/websocketd/internal/pipes"
)

// bridgeBackend serves a session from a connection of its own to the
// --connect service: the client's messages are written to it through the
// session's codec, and what the service sends goes to the client the same
// way. Both directions block when the other end does not read, so
// backpressure holds from the client to the service and back, as with a
// process's pipes. There is no process: no stderr, no pid, no exit status.
type bridgeBackend struct {
	conn  net.Conn
	grace time.Duration // how long stop waits for the service to close

	outputEnded chan struct{} // closed once the service's side is read to its end
	stopOnce    sync.Once
}

func newBridgeBackend(conn net.Conn, grace time.Duration) *bridgeBackend {
	return &bridgeBackend{conn: conn, grace: grace, outputEnded: make(chan struct{})}
}

// input writes the client's messages to the service. A write the service
// does not take blocks the stdin pump, which then notices a client that
// leaves as it does for a child's stdin (stdinwriter.go).
func (b *bridgeBackend) input(c codec, client net.Conn, _ *slog.Logger) messageSink {
	return c.input(&stdinWriter{pipe: b.conn, client: client})
}

// startOutput reads the service on a goroutine of its own, waiting in Go's
// poller for the connection (the shared watcher is for pipes) and holding
// no buffer while the service is quiet (pipes.NewLazyInput).
func (b *bridgeBackend) startOutput(c codec, out outbound, log *slog.Logger) {
	go b.pumpOutput(c.output(pipes.NewLazyInput(b.conn)), out, log)
}

// pumpOutput sends what the service says until its end. A send blocks
// while the client does not read, and the service's writes then block in
// turn; once the client is gone the output goes nowhere.
func (b *bridgeBackend) pumpOutput(messages messageReader, out outbound, log *slog.Logger) {
	for {
		kind, message, err := messages.next()
		if err != nil {
			b.endOutput(out, err, log)
			return
		}
		out.send(kind, message, messages.buffered())
	}
}

// endOutput follows the end of what the service says: output the codec
// cannot carry closes the client at once; the connection is closed, and
// out told how it ended.
func (b *bridgeBackend) endOutput(out outbound, err error, log *slog.Logger) {
	var broken closingError
	if errors.As(err, &broken) {
		out.close(broken.closeFrame())
	}
	status := bridgeEnd(err)
	if status.code == 1011 {
		log.Error("reading from the service", "error", status.detail)
	}
	b.conn.Close()
	close(b.outputEnded) // before done: a stop under way waits for it
	out.done(&status)
}

// bridgeEnd says how the service's connection ended, and the close frame
// the client gets for it: 1000 when the service closed its side, or when
// websocketd closed the connection itself (the client left, or the server
// is killing sessions); 1011 when it broke (a reset).
func bridgeEnd(err error) exitStatus {
	status := exitStatus{code: 1000, service: true}
	var broken closingError
	var inner *os.PathError
	switch {
	case errors.As(err, &broken):
		status.code, status.reason = broken.closeFrame()
		status.detail, status.outputErr = err.Error(), err
	case errors.Is(err, io.EOF):
		status.detail = "closed by the service"
	case errors.Is(err, os.ErrClosed), errors.Is(err, net.ErrClosed):
		status.detail = "closed by websocketd"
	case errors.As(err, &inner):
		// pipes' reads name the descriptor "pipe": the cause says more.
		status.code, status.reason, status.detail = 1011, "connection to the service failed", inner.Err.Error()
	default:
		status.code, status.reason, status.detail = 1011, "connection to the service failed", err.Error()
	}
	return status
}

// stop ends the connection the gentle way once the client has left: the
// service reads to the end of what the client sent, then its end of the
// input (a half close), and has grace to close its side. Closing at once
// would be simpler, but a socket closed with the service's bytes still
// unread sends a reset, which may discard the client's last messages on
// their way. stop returns once the connection is closed.
func (b *bridgeBackend) stop() {
	b.stopOnce.Do(func() {
		if half, ok := b.conn.(interface{ CloseWrite() error }); ok {
			half.CloseWrite()
		}
		timer := time.NewTimer(b.grace)
		defer timer.Stop()
		select {
		case <-b.outputEnded:
		case <-timer.C:
		}
		b.kill()
	})
}

// kill closes the connection at once; the output side then ends.
func (b *bridgeBackend) kill() { b.conn.Close() }

// errorOutput is nil: a connection has no stderr.
func (b *bridgeBackend) errorOutput() *os.File { return nil }

// pid is 0: no process serves the session, and none is logged.
func (b *bridgeBackend) pid() int { return 0 }
