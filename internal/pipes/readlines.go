package pipes

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"syscall"
)

// A child's stderr is read line by line, each line handed on (to the log,
// and with --passstderr to the client too). Lines that only go to the log
// are read by the watcher on its own goroutine; where handing a line on
// may block (a write to a client), a goroutine of the stream's own reads
// them (pumpLines).

// maxLinesPerWake keeps one child that floods stderr from holding up the
// others' lines: the rest is read at the next turn.
const maxLinesPerWake = 1024

// lineStream is one pipe read by the watcher: each line goes to onLine,
// and done is closed once the pipe is at its end (or stopped) and closed.
type lineStream struct {
	w    *Watcher
	id   int32
	pipe watchedPipe
	// lines reads the pipe, made at the first wake: a quiet stderr,
	// most of them, holds no reader (~0.2 KB).
	lines   *LineReader
	maxLine int
	onLine  func(line []byte)
	done    chan struct{}

	mu    sync.Mutex // the watcher reading, against stop
	ended bool
}

// watchedPipe is a pipe as the watcher alone reads it: out of Go's poller
// (ownfd_linux.go), closed at its end.
type watchedPipe interface {
	syscall.RawConn
	Close() error
	// file makes the pipe an os.File again, for a goroutine to read.
	file(name string) *os.File
}

// watchLines hands f to the watcher, which closes it at its end. A line
// longer than maxLine bytes comes to onLine in pieces. When it fails, the
// pipe is to be read from the file it returns (f, or f made anew).
func (w *Watcher) watchLines(f *os.File, maxLine int, onLine func([]byte), done chan struct{}) (*lineStream, *os.File, error) {
	pipe, err := ownPipe(f)
	if err != nil {
		return nil, f, err
	}
	s := &lineStream{w: w, pipe: pipe, maxLine: maxLine, onLine: onLine, done: done}
	if err := w.Add(pipe, s, false); err != nil {
		return nil, pipe.file(f.Name()), err
	}
	return s, nil, nil
}

// SetWatchID makes lineStream Watched.
func (s *lineStream) SetWatchID(id int32) { s.id = id }

// Ready reads what the pipe holds, up to a limit, and ends the stream at
// the end of the pipe.
func (s *lineStream) Ready() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lines == nil && !s.ended {
		s.lines = newSplitLines(newPollInput(s.pipe), s.maxLine)
	}
	for range maxLinesPerWake {
		if s.ended {
			return
		}
		line, err := s.lines.Next()
		switch {
		case errors.Is(err, ErrWouldBlock):
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
func (s *lineStream) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked()
}

func (s *lineStream) endLocked() {
	if s.ended {
		return
	}
	s.ended = true
	s.w.Remove(s.pipe, s.id)
	s.pipe.Close()
	if s.lines != nil {
		s.lines.release()
	}
	close(s.done)
}

// ReadLines has a pipe (a program's stderr) read line by line to its end,
// each line given to onLine, then closed, and done closed after it. Lines
// are read by the watcher; where onLine may block (it writes to a
// client), or there is no watcher, a goroutine of its own reads them. A
// line over maxLine bytes comes in pieces. It returns what stops the
// reading before the end.
func ReadLines(f *os.File, maxLine int, onLine func([]byte), mayBlock bool, done chan struct{}, log *slog.Logger) (stop func()) {
	if !mayBlock {
		w, err := SharedWatcher()
		if err == nil {
			var stream *lineStream
			stream, f, err = w.watchLines(f, maxLine, onLine, done)
			if err == nil {
				return stream.stop
			}
		}
		log.Debug("reading stderr with a goroutine", "error", err)
	}
	go pumpLines(f, maxLine, onLine, done)
	return func() { f.Close() }
}

// pumpLines gives each line of f to onLine, waiting on the pipe.
func pumpLines(f *os.File, maxLine int, onLine func([]byte), done chan struct{}) {
	defer close(done)
	defer f.Close()
	lines := newSplitLines(NewLazyInput(f), maxLine)
	for {
		line, err := lines.Next()
		if err != nil {
			return
		}
		onLine(line)
	}
}
