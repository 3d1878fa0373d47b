package libwebsocketd

import (
	"time"

	"github.com/websocketd/websocketd/internal/pipes"
)

// Without --passstderr the child's stderr lines only go to the log, and
// the shared watcher reads them on its own goroutine. With it, the lines
// go to the client too, a write that may block, so the session reads
// stderr with a goroutine of its own (pipes.ReadLines).

// startStderr has the program's stderr read: each line goes to the log,
// and with --passstderr to the client too.
func (s *session) startStderr() {
	stderr := s.serve.errorOutput()
	if stderr == nil {
		s.stopStderr = func() {}
		close(s.stderrDone)
		return
	}
	onLine, passes := s.logStderr, s.codec.passesStderr()
	if passes {
		onLine = s.logAndPassStderr
	}
	s.stopStderr = pipes.ReadLines(stderr, s.maxStderrLine, onLine, passes, s.stderrDone, s.log)
}

func (s *session) logStderr(line []byte) {
	s.log.Error(string(line), "category", "stderr")
}

func (s *session) logAndPassStderr(line []byte) {
	s.logStderr(line)
	kind, message := s.codec.stderrMessage(line)
	s.send(kind, message, false)
}

// awaitStderr lets the last stderr lines go out before the close frame.
// It is bounded: a process outside the child's group may hold stderr, and
// then the pipe is closed under it.
func (s *session) awaitStderr() {
	timer := time.NewTimer(closeReplyTimeout)
	defer timer.Stop()
	select {
	case <-s.stderrDone:
	case <-timer.C:
		s.stopStderr()
	}
}
