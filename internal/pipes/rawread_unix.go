//go:build unix

package pipes

import (
	"os"
	"syscall"
)

// pollablePipe gives direct access to a pipe that Go's poller waits on, so
// that a read can wait without holding a buffer (lazyread.go).
func pollablePipe(f *os.File) syscall.RawConn {
	raw, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

func readFD(fd uintptr, buf []byte) (int, error) { return syscall.Read(int(fd), buf) }
