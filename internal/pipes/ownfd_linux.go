//go:build linux && !portable

package pipes

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ownedPipe is a pipe's descriptor held outside Go's poller, for a pipe
// that the watcher alone waits on (a program's stderr, read into the log).
// An os.File of a pipe has a poll descriptor of the runtime's (~0.3 KB,
// which the runtime keeps for reuse and never frees) that such a pipe
// never uses: for a thousand quiet sessions, 0.3 MB.
type ownedPipe int

// ownPipe returns a descriptor of f's pipe of its own, non-blocking and
// close-on-exec, and closes f, which gives its poll descriptor back.
func ownPipe(f *os.File) (watchedPipe, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, dupErr := -1, error(nil)
	controlErr := sc.Control(func(old uintptr) {
		// F_DUPFD_CLOEXEC: a child forked meanwhile must not inherit it.
		fd, dupErr = unix.FcntlInt(old, unix.F_DUPFD_CLOEXEC, 0)
	})
	if err := errors.Join(controlErr, dupErr); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	f.Close()
	return ownedPipe(fd), nil
}

// file makes p an os.File again, for a reader that waits through Go's
// poller; p is not to be used after.
func (p ownedPipe) file(name string) *os.File { return os.NewFile(uintptr(p), name) }

// Control runs f on the descriptor: the watcher's epoll_ctl, and reads
// that do not wait. The owner closes the descriptor only after it is out
// of the watcher and no read runs, so nothing reuses its number meanwhile.
func (p ownedPipe) Control(f func(fd uintptr)) error {
	f(uintptr(p))
	return nil
}

// Read and Write would wait through Go's poller, which p is not in.
func (ownedPipe) Read(func(fd uintptr) bool) error  { return errors.ErrUnsupported }
func (ownedPipe) Write(func(fd uintptr) bool) error { return errors.ErrUnsupported }

func (p ownedPipe) Close() error { return syscall.Close(int(p)) }
