//go:build !linux || portable

package pipes

import (
	"errors"
	"os"
	"syscall"
)

// Without epoll there is no shared watcher: SharedWatcher says so, and each
// session reads its pipes with goroutines of its own. This is the code
// macOS, the BSDs and Windows run; -tags portable makes a Linux build run
// it too, so that it is tested here.

var errNoWatcher = errors.New("no shared pipe watcher in this build")

// Watcher is never made in this build; its methods only keep the
// callers compiling.
type Watcher struct{}

// SharedWatcher says that this build has no watcher.
func SharedWatcher() (*Watcher, error) { return nil, errNoWatcher }

func (*Watcher) Add(syscall.RawConn, Watched, bool) error { return errNoWatcher }

func (*Watcher) Rearm(syscall.RawConn, int32) error { return errNoWatcher }

func (*Watcher) Remove(syscall.RawConn, int32) {}

func (*Watcher) StopWaiting(syscall.RawConn) {}

// ownPipe is never needed without a watcher (see ownfd_linux.go).
func ownPipe(*os.File) (watchedPipe, error) { return nil, errNoWatcher }
