package libwebsocketd

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// The child's stdout is sent to the client as it comes. When the watcher
// (watcher.go) can wait on the pipe, a goroutine runs only while there is
// output; otherwise pumpStdout waits on it for the whole session.

// outputLinger is how long a drain goroutine keeps waiting on a quiet
// stdout, through Go's own poller, before it hands the pipe back to the
// watcher and ends. Output comes in bursts: handing back after every burst
// doubled the CPU per echoed message (a thread switch, a new goroutine and
// an epoll_ctl each time), while a goroutine that waits a little costs a
// quiet session nothing once it is gone.
const outputLinger = 20 * time.Millisecond

// startOutput has the child's stdout sent to the client of s, and, at its
// end, the close frame. It is the session's second pump (see pumpDone).
func (p *process) startOutput(s *session) {
	w, err := sharedWatcher()
	if err == nil {
		err = s.watchOutput(w, p)
	}
	if err != nil {
		s.log.Debug("reading stdout with a goroutine", "error", err)
		go s.pumpStdout(p)
	}
}

// pumpStdout sends the child's output until its end, waiting on the pipe.
func (s *session) pumpStdout(p *process) {
	frames := s.newFrameReader(newLazyInput(p.output()))
	for {
		message, err := frames.next()
		if err != nil {
			s.endOutput(p, err)
			return
		}
		s.sendOutput(message, frames.buffered())
	}
}

// outputStream is stdout while the watcher waits on it.
type outputStream struct {
	s      *session
	p      *process
	w      *pipeWatcher
	id     int32
	raw    syscall.RawConn
	frames frameReader

	mu    sync.Mutex // one drain at a time
	ended bool
}

func (s *session) watchOutput(w *pipeWatcher, p *process) error {
	raw, err := p.output().SyscallConn()
	if err != nil {
		return err
	}
	o := &outputStream{s: s, p: p, w: w, raw: raw,
		frames: s.newFrameReader(newLingerInput(p.output(), raw))}
	if err := w.add(raw, o, true); err != nil {
		return err
	}
	// Set once the watcher has the stream, so that abandon never meets one
	// half added; stop comes later (its pump starts after this), and a
	// kill in between closes stdout plainly, which the stop that follows
	// the kill, through abandon, makes up for.
	p.onCloseOutput(o.abandon)
	return nil
}

func (o *outputStream) setWatchID(id int32) { o.id = id }

// ready starts a drain: stdout has output, or is at its end.
func (o *outputStream) ready() { go o.drain() }

// drain sends stdout's output until it has been quiet for outputLinger,
// then has the watcher wait again; at the end of the output it ends the
// session's output side.
func (o *outputStream) drain() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for !o.ended {
		message, err := o.frames.next()
		switch {
		case errors.Is(err, errWouldBlock):
			if o.w.rearm(o.raw, o.id) == nil {
				return
			}
			// Closed under us (see abandon): the next read says so.
		case err != nil:
			o.ended = true
			o.w.remove(o.raw, o.id)
			o.s.endOutput(o.p, err)
		default:
			o.s.sendOutput(message, o.frames.buffered())
		}
	}
}

// abandon closes a watched stdout under its reader (see process.stop):
// the stop sequence's last step, when the process group is dead but
// someone outside it holds stdout open, and with --terminal the hang-up.
// Closing a descriptor wakes nothing in epoll, it only leaves the set, so
// the drain that ends the output is started here; it forgets the entry.
// The watcher stops waiting first (see stopWaiting). Safe after the end
// of the output, too: the closed file refuses both.
func (o *outputStream) abandon() {
	o.w.stopWaiting(o.raw)
	o.p.output().Close()
	go o.drain()
}

// sendOutput sends one message of output; with more, another follows at
// once. Once the client is gone the output is still read, so that the
// child is not stuck on a full pipe, but goes nowhere.
func (s *session) sendOutput(message []byte, more bool) {
	if s.clientGone {
		return
	}
	var err error
	switch {
	case s.framed != nil:
		err = s.sendFramed(message, more)
	case s.passStderr:
		err = s.sock.writeMessage(streamMessage("stdout", message), more)
	default:
		err = s.sock.writeMessage(message, more)
	}
	if err != nil {
		s.clientGone = true
		s.sock.close()
	}
}

// endOutput follows the end of stdout: it reaps the child, lets the last
// stderr lines out, and sends the close frame that reports how the child
// ended.
func (s *session) endOutput(p *process, err error) {
	defer s.pumpDone()
	err = s.endRefusedOutput(err)
	if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
		s.log.Error("reading stdout", "error", err)
	}
	status := p.end()
	s.ops.exited(status.state)
	s.logExit(status)
	s.awaitStderr()
	if !s.clientGone {
		s.sock.writeClose(status.code, status.reason)
		s.sock.awaitCloseReply()
	}
}

// endRefusedOutput ends a session whose child wrote what cannot be sent:
// a line or message over --maxlinesize (1009), or with --framed, output
// that breaks the format (1011). The client gets the close frame at once,
// without any part of what was refused, and the child is stopped. It
// returns the error for endOutput to go on with: io.EOF once this one is
// handled here.
func (s *session) endRefusedOutput(err error) error {
	var tooBig *outputTooBigError
	var broken *framingError
	switch {
	case errors.As(err, &tooBig):
		s.log.Error("closing with 1009", "error", err)
		s.sock.writeClose(websocket.CloseMessageTooBig, tooBig.reason)
	case errors.As(err, &broken):
		s.log.Error("closing with 1011", "error", err)
		s.sock.writeClose(websocket.CloseInternalServerErr, "bad framed output")
	default:
		return err
	}
	go s.serve.stop() // endOutput reaps it
	return io.EOF
}

func (s *session) newFrameReader(in input) frameReader {
	if s.framed != nil {
		s.framed.out = &framedReader{in: in, limit: s.maxLineSize}
		return s.framed.out
	}
	if s.binary {
		return &chunkReader{in: in}
	}
	return &lineReader{in: in, limit: s.maxLineSize}
}
