package libwebsocketd

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"
)

// Without --passstderr the child's stderr lines only go to the log, and
// the watcher (watcher.go) reads them on its own goroutine. With it, the
// lines go to the client too, a write that may block, so the session
// reads stderr with a goroutine of its own (pumpStderr).

// maxStderrLinesPerWake keeps one child that floods stderr from holding up
// the others' lines: the rest is read at the next turn.
const maxStderrLinesPerWake = 1024

// stderrStream is one child's stderr, read by the watcher: each line goes
// to onLine, and done is closed once the pipe is at its end (or stopped)
// and closed.
type stderrStream struct {
	w      *pipeWatcher
	id     int32
	file   *os.File
	raw    syscall.RawConn
	lines  *lineReader
	onLine func(line []byte)
	done   chan struct{}

	mu    sync.Mutex // the watcher reading, against stop
	ended bool
}

// watchStderr hands f to the watcher, which closes it at its end. A line
// longer than maxLine bytes comes to onLine in pieces.
func (w *pipeWatcher) watchStderr(f *os.File, maxLine int, onLine func([]byte), done chan struct{}) (*stderrStream, error) {
	raw, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &stderrStream{w: w, file: f, raw: raw, lines: newStderrLines(newPollInput(raw), maxLine),
		onLine: onLine, done: done}
	if err := w.add(raw, s, false); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *stderrStream) setWatchID(id int32) { s.id = id }

// ready reads what the pipe holds, up to a limit, and ends the stream at
// the end of the pipe.
func (s *stderrStream) ready() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range maxStderrLinesPerWake {
		if s.ended {
			return
		}
		line, err := s.lines.next()
		switch {
		case errors.Is(err, errWouldBlock):
			return
		case err != nil:
			s.endLocked()
			return
		}
		s.onLine(line)
	}
}

// stop ends the stream before its end: someone outside the child's
// process group holds the pipe open.
func (s *stderrStream) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked()
}

func (s *stderrStream) endLocked() {
	if s.ended {
		return
	}
	s.ended = true
	s.w.remove(s.raw, s.id)
	s.file.Close()
	s.lines.release()
	close(s.done)
}

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
	s.stopStderr = readStderr(stderr, s.maxStderrLine, onLine, passes, s.stderrDone, s.log)
}

func (s *session) logStderr(line []byte) {
	s.log.Error(string(line), "category", "stderr")
}

func (s *session) logAndPassStderr(line []byte) {
	s.logStderr(line)
	kind, message := s.codec.stderrMessage(line)
	s.send(kind, message, false)
}

// readStderr has a program's stderr read line by line to its end, each
// line given to onLine, then closed, and done closed after it. Lines that
// only go to the log are read by the watcher; where onLine may block (it
// writes to a client), or there is no watcher, a goroutine of its own
// reads them. A line over maxLine bytes comes in pieces. It returns what
// stops the reading before the end.
func readStderr(stderr *os.File, maxLine int, onLine func([]byte), mayBlock bool, done chan struct{}, log *slog.Logger) (stop func()) {
	if !mayBlock {
		w, err := sharedWatcher()
		var stream *stderrStream
		if err == nil {
			stream, err = w.watchStderr(stderr, maxLine, onLine, done)
		}
		if err == nil {
			return stream.stop
		}
		log.Debug("reading stderr with a goroutine", "error", err)
	}
	go pumpStderr(stderr, maxLine, onLine, done)
	return func() { stderr.Close() }
}

// pumpStderr gives each line of stderr to onLine, waiting on the pipe.
func pumpStderr(stderr *os.File, maxLine int, onLine func([]byte), done chan struct{}) {
	defer close(done)
	defer stderr.Close()
	lines := newStderrLines(newLazyInput(stderr), maxLine)
	for {
		line, err := lines.next()
		if err != nil {
			return
		}
		onLine(line)
	}
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
