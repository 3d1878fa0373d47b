package libwebsocketd

import (
	"log/slog"
	"net"
	"os"
)

// backend is what serves a session: its own process (process.go), or a
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

// The session's own process is a backend.

func (p *process) input(c codec, client net.Conn, _ *slog.Logger) messageSink {
	return c.input(&stdinWriter{pipe: p.stdin, client: client})
}

func (p *process) errorOutput() *os.File { return p.stderr }

// The process's own output side (output.go) uses these.

// output is the program's output, read until its end. It is a file so
// that the shared watcher (pipes.Watcher) can wait on it.
func (p *process) output() *os.File { return p.stdout }

// onCloseOutput sets how the program's output is closed under its reader:
// what stop does last when the program is gone but someone else still
// holds its output open, and how a terminal is hung up (its master is the
// output too). It must end the reading.
func (p *process) onCloseOutput(closeOutput func()) {
	p.outputMu.Lock()
	p.closeOutput = closeOutput
	p.outputMu.Unlock()
}

// end follows the end of the output: it waits for the program and says
// how it ended. Only the output side calls it, once.
func (p *process) end() exitStatus {
	state := p.wait()
	code, reason := exitCloseCode(state)
	detail := "unknown"
	if state != nil {
		detail = state.String()
	}
	return exitStatus{code: code, reason: reason, detail: detail, state: state}
}
