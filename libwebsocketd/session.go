package libwebsocketd

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// session is one WebSocket connection and what serves it (backend.go).
// A session lasts as long as its client, mostly quiet: its small fields
// come last, packed, so that it fits a smaller allocation.
type session struct {
	log   *slog.Logger
	sock  *socket
	serve backend
	codec codec      // how messages become the program's bytes and back (codec.go)
	stdin *stdinPump // the reading side's pump, which may park (park_watch.go)

	maxStderrLine int            // --maxlinesize: a longer stderr line is logged in pieces
	stderr        *stderrReading // set as the pumps start

	resume  *resumable  // with ?resume=1 and --resumems: the process outlives a drop (resume.go)
	acct    *accounting // metrics, timeouts, outcome (session_accounting.go)
	onClose func()      // frees the forks slot and forgets the session

	// For the DISCONNECT line (sessionend.go).
	started time.Time
	// How the backend ended, set by the output side (logExit): only what
	// the DISCONNECT line says, not the whole exitStatus.
	exitDetail       string
	exitService      bool        // the backend was a --connect connection
	leftWhileRunning bool        // set by the stdin pump: the client ended first
	ended            atomic.Bool // the backend has ended (exitDetail is set)
	goingAway        atomic.Bool // the server closed the session to shut down

	clientGone atomic.Bool  // a write failed: the client is gone
	closeSent  atomic.Bool  // the close frame is sent
	pumps      atomic.Int32 // socket pumps still running
}

// run starts the pumps and returns at once: the goroutine that served the
// upgrade request is not kept, nor are its buffers.
func (s *session) run() {
	s.started = time.Now()
	s.log.Log(nil, LevelAccess, "CONNECT")
	s.pumps.Store(2)
	s.startStderr()
	s.serve.startOutput(s.codec, s, s.log)
	go s.stdin.run()
}

// pumpDone ends the session when the second pump is done: by then the
// child is reaped and the socket closed.
func (s *session) pumpDone() {
	if s.pumps.Add(-1) > 0 {
		return
	}
	s.sock.close()
	// Logged before onClose lets a shutting-down server exit, or the
	// last sessions' lines would be lost.
	s.logDisconnect()
	s.onClose()
}

// shutdown says goodbye to the client (1001) and stops the child, for a
// server that is going away.
func (s *session) shutdown() {
	s.goingAway.Store(true)
	s.acct.ended(outcomeShutdown)
	s.sock.writeClose(websocket.CloseGoingAway, "server shutting down")
	s.sock.awaitCloseReply()
}

// kill ends the session at once, for a server whose shutdown grace is
// over: the process group gets SIGKILL and the connection is dropped.
func (s *session) kill() {
	s.goingAway.Store(true)
	s.serve.kill()
	s.sock.close()
}

func (s *session) logReadEnd(err error) {
	var closeErr *websocket.CloseError
	switch {
	case errors.As(err, &closeErr):
		s.log.Debug("client closed", "code", closeErr.Code, "reason", closeErr.Text)
	case errors.Is(err, websocket.ErrReadLimit):
		s.log.Log(nil, LevelInfo, "message over --maxframesize, closed with 1009")
	default:
		s.log.Debug("connection ended", "error", err)
	}
}

func (s *session) logExit(status exitStatus) {
	s.exitDetail, s.exitService = status.detail, status.service
	s.ended.Store(true)
	s.log.Debug("process ended", "status", status.detail)
}
