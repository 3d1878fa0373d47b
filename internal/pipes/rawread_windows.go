package pipes

import (
	"os"
	"syscall"
)

// pollablePipe: Windows pipes are not in Go's poller (a read blocks its
// thread until data comes), so there is nothing to wait on without
// reading; lazyInput then simply reads the file.
func pollablePipe(*os.File) syscall.RawConn { return nil }

// readFD is never reached on Windows (no pollable pipes); it keeps the
// shared read code compiling.
func readFD(fd uintptr, buf []byte) (int, error) { return syscall.Read(syscall.Handle(fd), buf) }
