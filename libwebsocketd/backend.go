package libwebsocketd

import (
	"log/slog"
	"net"
	"os"

	"github.com/websocketd/websocketd/internal/child"
)

// backend is what serves a session: its own process (processBackend), or a
// seat in a room shared with other clients (room_seat.go). The session
// reaches it only through these methods, and it reaches its client only
// through the session's outbound port (outbound.go): neither knows how
// the other is made.
type backend interface {
	// input returns what takes the client's messages, made by the
	// session's codec. client is the connection, so that input which is
	// not taken can notice a client that has gone (see stdinwriter.go); log is
	// the session's.
	input(c codec, client net.Conn, log *slog.Logger) messageSink
	// startOutput has what the backend says sent to out until its end,
	// then out.done. It returns at once.
	startOutput(c codec, out outbound, log *slog.Logger)
	// errorOutput is the program's stderr, or nil when it has none of its
	// own. Whoever reads it closes it at its end.
	errorOutput() *os.File
	// stop ends the program the gentle way and returns once it is gone;
	// kill ends it at once. Both are safe from any goroutine, repeatedly.
	stop()
	kill()
	pid() int
}

// messageSink takes client messages for the program: write gathers one,
// and flush hands over what was gathered, once per burst. finish follows
// the client's last message, with the error that ended the reading.
type messageSink interface {
	write(message []byte, kind int)
	flush() error
	finish(readErr error)
}

// pipeInput writes client messages to a pipe (a child's stdin), each
// followed by a newline unless the session relays raw bytes.
type pipeInput struct {
	burst   burstWriter
	newline bool
}

func (in *pipeInput) write(message []byte, _ int) { in.burst.write(message, in.newline) }
func (in *pipeInput) flush() error                { return in.burst.flush() }

// finish hands over what came before the end; a child that no longer
// reads has nothing gathered (flush dropped it).
func (in *pipeInput) finish(error) { in.burst.flush() }

// processBackend is a session's own process as its backend: the child
// (internal/child) seen from the session, its output side in output.go.
// A room holds its process the same way (room.go).
type processBackend struct{ *child.Process }

func (p processBackend) input(c codec, client net.Conn, _ *slog.Logger) messageSink {
	return c.input(&stdinWriter{pipe: p.Stdin(), client: client})
}

func (p processBackend) errorOutput() *os.File { return p.Stderr() }
func (p processBackend) stop()                 { p.Stop() }
func (p processBackend) kill()                 { p.Kill() }
func (p processBackend) pid() int              { return p.Pid() }

// end follows the end of the output: it waits for the program and says
// how it ended. Only the output side calls it, once.
func (p processBackend) end() exitStatus {
	state := p.Wait()
	code, reason := exitCloseCode(state)
	detail := "unknown"
	if state != nil {
		detail = state.String()
	}
	return exitStatus{code: code, reason: reason, detail: detail, state: state}
}

// exitCloseCode maps how the child ended to the close frame that ends the
// socket: 1000 for a clean exit, 1011 with the status as the reason.
func exitCloseCode(state *os.ProcessState) (int, string) {
	if state != nil && state.Success() {
		return 1000, ""
	}
	if state == nil {
		return 1011, "process status unknown"
	}
	return 1011, state.String()
}
