package libwebsocketd

import (
	"errors"
	"os"
	"sync"
	"syscall"
)

// Children seldom write to stderr, yet a goroutine waiting for it would
// cost every session a stack. So, unless --passstderr sends the lines to
// the client (which may block, and then has a goroutine of its own), the
// stderr of every session is read by one goroutine that waits on all the
// pipes at once with epoll.

// maxStderrLinesPerWake keeps one child that floods stderr from holding up
// the others' lines: the rest is read at the next turn.
const maxStderrLinesPerWake = 1024

// stderrWatcher is that one goroutine and the pipes it watches.
type stderrWatcher struct {
	epfd    int
	mu      sync.Mutex
	streams map[int32]*stderrStream // by the id epoll reports
	nextID  int32
}

var (
	watcherOnce sync.Once
	watcher     *stderrWatcher
	watcherErr  error
)

// sharedStderrWatcher starts the watcher the first time it is needed.
func sharedStderrWatcher() (*stderrWatcher, error) {
	watcherOnce.Do(func() {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			watcherErr = os.NewSyscallError("epoll_create1", err)
			return
		}
		watcher = &stderrWatcher{epfd: epfd, streams: map[int32]*stderrStream{}}
		go watcher.loop()
	})
	return watcher, watcherErr
}

// stderrStream is one child's stderr: each line goes to onLine, and done
// is closed once the pipe is at its end (or stopped) and closed.
type stderrStream struct {
	id     int32
	file   *os.File
	raw    syscall.RawConn
	lines  *lineReader
	onLine func(line []byte)
	done   chan struct{}

	mu    sync.Mutex // the watcher reading, against stop
	ended bool
}

// watch hands f to the watcher, which closes it at its end.
func (w *stderrWatcher) watch(f *os.File, onLine func([]byte), done chan struct{}) (*stderrStream, error) {
	raw, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &stderrStream{file: f, raw: raw, lines: &lineReader{in: newPollInput(raw)},
		onLine: onLine, done: done}
	w.mu.Lock()
	for w.streams[w.nextID] != nil {
		w.nextID++
	}
	s.id = w.nextID
	w.nextID++
	w.streams[s.id] = s
	w.mu.Unlock()
	// Level-triggered: what is left unread is reported again.
	event := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: s.id}
	controlErr := raw.Control(func(fd uintptr) {
		err = syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_ADD, int(fd), &event)
	})
	if err = errors.Join(controlErr, err); err != nil {
		w.forget(s)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	return s, nil
}

func (w *stderrWatcher) forget(s *stderrStream) {
	w.mu.Lock()
	delete(w.streams, s.id)
	w.mu.Unlock()
}

func (w *stderrWatcher) loop() {
	events := make([]syscall.EpollEvent, 64)
	for {
		n, err := syscall.EpollWait(w.epfd, events, -1)
		if err != nil {
			continue // EINTR; epoll_wait has no other error on a valid epfd
		}
		for _, event := range events[:n] {
			w.mu.Lock()
			s := w.streams[event.Fd]
			w.mu.Unlock()
			if s != nil {
				s.readSome(w)
			}
		}
	}
}

// readSome reads what the pipe holds, up to a limit, and ends the stream
// at the end of the pipe.
func (s *stderrStream) readSome(w *stderrWatcher) {
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
			s.endLocked(w)
			return
		}
		s.onLine(line)
	}
}

// stop ends the stream before its end: someone outside the child's
// process group holds the pipe open.
func (s *stderrStream) stop(w *stderrWatcher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked(w)
}

func (s *stderrStream) endLocked(w *stderrWatcher) {
	if s.ended {
		return
	}
	s.ended = true
	s.raw.Control(func(fd uintptr) {
		syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	})
	w.forget(s)
	s.file.Close()
	s.lines.release()
	close(s.done)
}
