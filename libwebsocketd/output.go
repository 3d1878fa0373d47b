package libwebsocketd

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"syscall"

	"github.com/websocketd/websocketd/internal/pipes"
)

// A process's stdout is sent to its client as it comes, through the
// session's outbound port, cut into messages by the session's codec. When
// the shared watcher (pipes.Watcher) can wait on the pipe, a goroutine
// runs only while there is output; otherwise pumpStdout waits on it for
// the whole session.

// startOutput has the child's stdout sent to out until its end, then says
// how the child ended (out.done).
func (p processBackend) startOutput(c codec, out outbound, log *slog.Logger) {
	w, err := pipes.SharedWatcher()
	if err == nil {
		err = p.watchOutput(w, c, out)
	}
	if err != nil {
		log.Debug("reading stdout with a goroutine", "error", err)
		go p.pumpStdout(c.output(pipes.NewLazyInput(p.Stdout())), out)
	}
}

// pumpStdout sends the child's output until its end, waiting on the pipe.
func (p processBackend) pumpStdout(messages messageReader, out outbound) {
	for {
		kind, message, err := messages.next()
		if err != nil {
			p.endOutput(out, err)
			return
		}
		out.send(kind, message, messages.buffered()) // a client gone: the output goes nowhere
	}
}

// outputStream is stdout while the watcher waits on it.
type outputStream struct {
	p        processBackend
	out      outbound
	w        *pipes.Watcher
	id       int32
	raw      syscall.RawConn
	messages messageReader

	mu    sync.Mutex // one drain at a time
	ended bool
}

func (p processBackend) watchOutput(w *pipes.Watcher, c codec, out outbound) error {
	raw, err := p.Stdout().SyscallConn()
	if err != nil {
		return err
	}
	o := &outputStream{p: p, out: out, w: w, raw: raw,
		messages: c.output(pipes.NewLingerInput(p.Stdout(), raw))}
	if err := w.Add(raw, o, true); err != nil {
		return err
	}
	// Set once the watcher has the stream, so that abandon never meets one
	// half added; stop comes later (its pump starts after this), and a
	// kill in between closes stdout plainly, which the stop that follows
	// the kill, through abandon, makes up for.
	p.OnCloseOutput(o.abandon)
	return nil
}

// SetWatchID and Ready make an outputStream pipes.Watched.
func (o *outputStream) SetWatchID(id int32) { o.id = id }

// Ready starts a drain: stdout has output, or is at its end.
func (o *outputStream) Ready() { go o.drain() }

// drain sends stdout's output until it has been quiet for pipes.Linger,
// then has the watcher wait again; at the end of the output it ends the
// output side.
func (o *outputStream) drain() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for !o.ended {
		kind, message, err := o.messages.next()
		switch {
		case errors.Is(err, pipes.ErrWouldBlock):
			if o.w.Rearm(o.raw, o.id) == nil {
				return
			}
			// Closed under us (see abandon): the next read says so.
		case err != nil:
			o.ended = true
			o.w.Remove(o.raw, o.id)
			o.p.endOutput(o.out, err)
		default:
			o.out.send(kind, message, o.messages.buffered())
		}
	}
}

// abandon closes a watched stdout under its reader (see child.Process.Stop):
// the stop sequence's last step, when the process group is dead but
// someone outside it holds stdout open, and with --terminal the hang-up.
// Closing a descriptor wakes nothing in epoll, it only leaves the set, so
// the drain that ends the output is started here; it forgets the entry.
// The watcher stops waiting first (see stopWaiting). Safe after the end
// of the output, too: the closed file refuses both.
func (o *outputStream) abandon() {
	o.w.StopWaiting(o.raw)
	o.p.Stdout().Close()
	go o.drain()
}

// endOutput follows the end of stdout: output the codec could not carry
// closes the client at once and stops the child; then the child is reaped
// and out told how it ended.
func (p processBackend) endOutput(out outbound, err error) {
	var broken closingError
	if errors.As(err, &broken) {
		out.close(broken.closeFrame())
		go p.stop() // end reaps it
	}
	status := p.end()
	status.outputErr = err
	out.done(&status)
}

// exitStatus is how a backend ended: the close frame it calls for, and a
// description for the log.
type exitStatus struct {
	code   int
	reason string
	detail string
	state  *os.ProcessState // a process's own report; nil when unknown
	// service: the backend was a --connect connection, not a process.
	service bool
	// outputErr is what ended the output: io.EOF, or what went wrong.
	outputErr error
}
