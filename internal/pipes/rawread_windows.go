package pipes

import "syscall"

// pollable: Windows pipes are not in Go's poller (a read blocks its
// thread until data comes), so there is nothing to wait on without
// reading, and a socket's raw descriptor cannot be read with ReadFile;
// lazyInput then simply reads the file or the connection.
func pollable(syscall.Conn) syscall.RawConn { return nil }

// readFD is never reached on Windows (no pollable pipes); it keeps the
// shared read code compiling.
func readFD(fd uintptr, buf []byte) (int, error) { return syscall.Read(syscall.Handle(fd), buf) }
