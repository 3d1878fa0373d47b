//go:build linux && !portable

package libwebsocketd

import "golang.org/x/sys/unix"

// socketHungUp asks poll without waiting. Linux's POLLRDHUP sees a FIN even
// behind unread data, so a client that left is seen however much it had
// sent before.
func socketHungUp(fd uintptr) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) != 0
}

// finBehindDataSeen: POLLRDHUP sees a FIN behind unread data (tested).
const finBehindDataSeen = true
