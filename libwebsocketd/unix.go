package libwebsocketd

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// listenUnix listens on a Unix socket path. A socket file left behind by a
// dead server is removed; one that a live server still answers on is left
// alone and reported, so a second websocketd cannot steal it.
func listenUnix(path string) (net.Listener, error) {
	l, err := net.Listen("unix", path)
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
		return l, err
	}
	conn, dialErr := net.DialTimeout("unix", path, time.Second)
	if dialErr == nil {
		conn.Close()
		return nil, fmt.Errorf("unix socket %s is already in use by a running server", path)
	}
	if info, statErr := os.Lstat(path); statErr != nil || info.Mode()&os.ModeSocket == 0 {
		return nil, fmt.Errorf("%s exists and is not a socket: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return nil, fmt.Errorf("removing stale unix socket %s: %w", path, err)
	}
	return net.Listen("unix", path)
}
