package libwebsocketd

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// sseSession is one Server-Sent Events client and what serves it (a
// process, or a seat in a room): the event stream's counterpart of a
// WebSocket session, and its backend's outbound port. Its client sends
// nothing, so there is no reading side: the request's goroutine stays in
// the handler for the whole stream (run), sends the keep-alives, and
// stops the backend once the client is gone (the request's context
// ends, or a write fails), the server shuts down or a timeout fires.
//
// The program's stdin stays open and empty until then, and the stop
// sequence closes it first, as for a WebSocket client that leaves: stdin
// at its end is how a websocketd program learns that its client is gone,
// so neither closing it at once nor /dev/null would do; a program that
// only writes never looks at it.
type sseSession struct {
	log    *slog.Logger
	serve  backend
	codec  codec
	stream *sseStream
	acct   *accounting    // metrics, timeouts, outcome; nil when no flag needs it
	stderr *stderrReading // set as run starts the backend's output

	maxStderrLine int
	started       time.Time
	over          chan struct{} // closed by done: the backend's output side is over
	stopping      chan struct{} // closed by askStop: run stops the backend
	askOnce       sync.Once

	// For the DISCONNECT line, as a session keeps them (sessionend.go).
	exit             exitStatus  // set by done once the backend has ended
	ended            atomic.Bool // exit is set
	leftWhileRunning bool        // run's own: the backend was stopped before it ended
	goingAway        atomic.Bool
}

// openSSE serves r's event stream with serve through the codec c, until
// it is over: the event stream's counterpart of openSession. release
// frees what the backend took, with the child's exit code (-1 when
// unknown or not counted).
func (h *Handler) openSSE(w http.ResponseWriter, r *http.Request, log *slog.Logger, serve backend, c codec, release func(exitCode int)) {
	s := &sseSession{log: log, serve: serve, codec: c, stream: newSSEStream(w),
		acct: h.newSessionAccounting(), maxStderrLine: h.cfg.MaxLineSize,
		over: make(chan struct{}), stopping: make(chan struct{})}
	if _, seated := serve.(*seat); seated && h.cfg.RoomReplay > 0 {
		s.stream.ownIDs = false // the room numbers its messages
	}
	defer func() {
		release(s.acct.finish())
		h.clients.release()
		h.forget(s)
	}()
	if h.track(s) {
		s.shutdown() // the server began to shut down meanwhile
	}
	if err := s.stream.open(); err != nil {
		s.clientGone()
	}
	s.acct.startTimers(h.cfg.IdleTimeout, h.cfg.MaxSession, s.closeFor)
	s.run(r.Context())
}

// run starts the backend's output and serves the stream until it is over.
func (s *sseSession) run(ctx context.Context) {
	s.started = time.Now()
	s.log.Log(nil, LevelAccess, "CONNECT")
	s.stderr = readStderr(s.serve.errorOutput(), s.maxStderrLine, s.codec, s, s.log)
	s.serve.startOutput(s.codec, s, s.log)
	keepAlive := time.NewTimer(sseKeepAlive)
	defer keepAlive.Stop()
	clientLeft, stopping := ctx.Done(), s.stopping
	for {
		select {
		case <-s.over:
			s.stream.end()
			s.logDisconnect()
			return
		case <-clientLeft:
			clientLeft = nil
			s.clientGone()
		case <-stopping:
			stopping = nil
			s.leftWhileRunning = !s.ended.Load()
			s.serve.stop() // its output side ends, which closes over
		case <-keepAlive.C:
			wait, err := s.stream.keepAlive(sseKeepAlive)
			if err != nil {
				s.clientGone()
			}
			keepAlive.Reset(wait)
		}
	}
}

// askStop has run stop the backend, once.
func (s *sseSession) askStop() {
	s.askOnce.Do(func() { close(s.stopping) })
}

func (s *sseSession) clientGone() {
	s.acct.ended(outcomeClientClosed)
	s.askStop()
}

// closeFor ends a stream at a timeout (the accounting has the outcome).
func (s *sseSession) closeFor(reason string) {
	s.log.Info("closing: " + reason)
	s.askStop()
}

// shutdown stops the backend for a server that is going away; the stream
// ends with its output.
func (s *sseSession) shutdown() {
	s.goingAway.Store(true)
	s.acct.ended(outcomeShutdown)
	s.askStop()
}

// kill ends the stream at once, for a server whose shutdown grace is
// over: the process group gets SIGKILL, and a write stuck on the client
// is cut.
func (s *sseSession) kill() {
	s.goingAway.Store(true)
	s.serve.kill()
	s.stream.limit(time.Now())
	s.askStop()
}

func (s *sseSession) logDisconnect() {
	stoppedAt := ""
	if s.leftWhileRunning {
		stoppedAt = whyStopped(s.goingAway.Load(), s.acct)
	}
	s.log.Log(nil, LevelAccess, "DISCONNECT", "process", processFate(s.exit.detail, stoppedAt),
		"duration", time.Since(s.started).Round(time.Millisecond))
}

// The session is its backend's outbound port (outbound.go).

func (s *sseSession) send(kind int, message []byte, more bool) error {
	return s.sendNumbered(0, kind, message, more)
}

// sendNumbered sends a message as the event numbered id (0: the stream's
// next number).
func (s *sseSession) sendNumbered(id uint64, kind int, message []byte, more bool) error {
	err := s.stream.numberedEvent(id, kind, message, more)
	if err != nil {
		s.clientGone()
		return err
	}
	s.acct.messageOut(len(message))
	return nil
}

// sendRoom sends each message of the batches as an event, with the
// room's number for it (--roomreplay), if any.
func (s *sseSession) sendRoom(batches []*roomBatch) error {
	for i, b := range batches {
		for j, m := range b.messages {
			more := i < len(batches)-1 || j < len(b.messages)-1
			if err := s.sendNumbered(b.seq(j), m.kind, b.data(j), more); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *sseSession) limitWrites(by time.Time) { s.stream.limit(by) }

// close ends the stream's events: an event stream has no close frame, and
// its end is the end of the response, which done brings.
func (s *sseSession) close(code int, reason string) error {
	s.log.Debug("ending the event stream", "code", code, "reason", reason)
	return s.stream.flush()
}

// done follows the end of the backend's output side: with the backend's
// end, its last stderr lines go out, then run ends the response.
func (s *sseSession) done(ended *exitStatus) {
	if ended != nil {
		s.backendEnded(*ended)
	}
	close(s.over)
}

func (s *sseSession) backendEnded(status exitStatus) {
	var broken closingError
	switch err := status.outputErr; {
	case errors.As(err, &broken):
		s.log.Error("ending the event stream", "error", err)
	case readFailed(err):
		s.log.Error("reading stdout", "error", err)
	}
	s.acct.exited(status.state)
	s.exit = status
	s.ended.Store(true)
	s.log.Debug("process ended", "status", status.detail)
	s.stderr.await()
}
