package libwebsocketd

import (
	"log/slog"
	"os"
	"time"

	"github.com/websocketd/websocketd/internal/pipes"
)

// Without --passstderr the child's stderr lines only go to the log, and
// the shared watcher reads them on its own goroutine. With it, the lines
// go to the client too, a write that may block, so the session reads
// stderr with a goroutine of its own (pipes.ReadLines).

// stderrReading is a program's stderr being read for one client: each
// line goes to the log, and with --passstderr to the client too. A
// WebSocket session and an event stream (sse_session.go) read it alike.
type stderrReading struct {
	done chan struct{} // closed when stderr is drained
	stop func()        // stops reading stderr before its end
}

// noStderr is the reading of a backend without a stderr of its own (a
// seat in a room): done already, and shared, so that a room client holds
// none of its own.
var noStderr = &stderrReading{done: closedChannel(), stop: func() {}}

func closedChannel() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// readStderr has stderr read (nil: the backend has none of its own); c
// says whether its lines go to out as well as to log.
func readStderr(stderr *os.File, maxLine int, c codec, out outbound, log *slog.Logger) *stderrReading {
	if stderr == nil {
		return noStderr
	}
	r := &stderrReading{done: make(chan struct{})}
	logLine := func(line []byte) { log.Error(string(line), "category", "stderr") }
	onLine, passes := logLine, c.passesStderr()
	if passes {
		onLine = func(line []byte) {
			logLine(line)
			kind, message := c.stderrMessage(line)
			out.send(kind, message, false)
		}
	}
	r.stop = pipes.ReadLines(stderr, maxLine, onLine, passes, r.done, log)
	return r
}

// startStderr has the session's program's stderr read.
func (s *session) startStderr() {
	s.stderr = readStderr(s.serve.errorOutput(), s.maxStderrLine, s.codec, s, s.log)
}

// await lets the last stderr lines go out before the end. It is bounded:
// a process outside the child's group may hold stderr, and then the pipe
// is closed under it.
func (r *stderrReading) await() {
	timer := time.NewTimer(closeReplyTimeout)
	defer timer.Stop()
	select {
	case <-r.done:
	case <-timer.C:
		r.stop()
	}
}
