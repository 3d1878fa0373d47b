//go:build linux && !portable

package pipes

import (
	"errors"
	"os"
	"sync"
	"syscall"
)

// The epoll watcher: Linux only (see watcher_portable.go for the others).

// Watcher is that one goroutine and the pipes and sockets it waits on.
type Watcher struct {
	epfd    int
	mu      sync.Mutex
	entries map[int32]Watched // by the id epoll reports
	nextID  int32
}

var (
	watcherOnce sync.Once
	watcher     *Watcher
	watcherErr  error
)

// SharedWatcher returns the one watcher, started the first time it is
// needed, or why there is none.
func SharedWatcher() (*Watcher, error) {
	watcherOnce.Do(func() {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			watcherErr = os.NewSyscallError("epoll_create1", err)
			return
		}
		watcher = &Watcher{epfd: epfd, entries: map[int32]Watched{}}
		go watcher.loop()
	})
	return watcher, watcherErr
}

// Add starts waiting on raw's descriptor. A oneShot entry is reported once,
// then not again until Rearm; the others (level-triggered) as long as the
// pipe holds something.
func (w *Watcher) Add(raw syscall.RawConn, entry Watched, oneShot bool) error {
	w.mu.Lock()
	for w.entries[w.nextID] != nil {
		w.nextID++
	}
	id := w.nextID
	w.nextID++
	// Under the lock the loop takes to find the entry: it sees the id.
	entry.SetWatchID(id)
	w.entries[id] = entry
	w.mu.Unlock()
	if err := w.control(raw, syscall.EPOLL_CTL_ADD, id, oneShot); err != nil {
		w.forget(id)
		return err
	}
	return nil
}

// Rearm waits again on a oneShot entry. It fails once the pipe is closed.
func (w *Watcher) Rearm(raw syscall.RawConn, id int32) error {
	return w.control(raw, syscall.EPOLL_CTL_MOD, id, true)
}

// Remove stops waiting on the pipe; a report already under way for it
// finds no entry. The pipe may be closed already (closing removed it).
func (w *Watcher) Remove(raw syscall.RawConn, id int32) {
	w.StopWaiting(raw)
	w.forget(id)
}

// StopWaiting takes the pipe out of the epoll set, before it is closed
// under its reader: closing takes it out only once no process holds the
// open file any more, and a child being forked holds it until its exec.
// The entry stays, for the reader to forget.
func (w *Watcher) StopWaiting(raw syscall.RawConn) {
	raw.Control(func(fd uintptr) {
		syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	})
}

func (w *Watcher) control(raw syscall.RawConn, op int, id int32, oneShot bool) error {
	event := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: id}
	if oneShot {
		event.Events |= syscall.EPOLLONESHOT
	}
	var err error
	// Control keeps the descriptor from being closed (and its number
	// reused) while epoll_ctl runs.
	controlErr := raw.Control(func(fd uintptr) {
		err = syscall.EpollCtl(w.epfd, op, int(fd), &event)
	})
	if err = errors.Join(controlErr, err); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func (w *Watcher) forget(id int32) {
	w.mu.Lock()
	delete(w.entries, id)
	w.mu.Unlock()
}

func (w *Watcher) loop() {
	events := make([]syscall.EpollEvent, 64)
	for {
		n, err := syscall.EpollWait(w.epfd, events, -1)
		if err != nil {
			continue // EINTR; epoll_wait has no other error on a valid epfd
		}
		for _, event := range events[:n] {
			w.mu.Lock()
			entry := w.entries[event.Fd]
			w.mu.Unlock()
			if entry != nil {
				entry.Ready()
			}
		}
	}
}
