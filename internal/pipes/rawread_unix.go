//go:build unix

package pipes

import "syscall"

// pollable gives direct access to a pipe or socket that Go's poller waits
// on, so that a read can wait without holding a buffer (lazyread.go).
func pollable(conn syscall.Conn) syscall.RawConn {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

func readFD(fd uintptr, buf []byte) (int, error) { return syscall.Read(int(fd), buf) }
