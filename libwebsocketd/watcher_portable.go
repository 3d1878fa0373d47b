//go:build !linux || portable

package libwebsocketd

import (
	"errors"
	"syscall"
)

// Without epoll there is no shared watcher: sharedWatcher says so, and each
// session reads its pipes with goroutines of its own. This is the code
// macOS, the BSDs and Windows run; -tags portable makes a Linux build run
// it too, so that it is tested here.

var errNoWatcher = errors.New("no shared pipe watcher in this build")

// pipeWatcher is never made in this build; its methods only keep the
// callers compiling.
type pipeWatcher struct{}

func sharedWatcher() (*pipeWatcher, error) { return nil, errNoWatcher }

func (*pipeWatcher) add(syscall.RawConn, watched, bool) error { return errNoWatcher }

func (*pipeWatcher) rearm(syscall.RawConn, int32) error { return errNoWatcher }

func (*pipeWatcher) remove(syscall.RawConn, int32) {}

func (*pipeWatcher) stopWaiting(syscall.RawConn) {}
