//go:build unix && (!linux || portable)

package libwebsocketd

import "golang.org/x/sys/unix"

// socketHungUp is the portable check, for Unixes without POLLRDHUP (macOS,
// the BSDs) and for Linux built with -tags portable. poll sees a reset or
// an error (POLLHUP, POLLERR) at once. A FIN it cannot tell from data, so a
// one-byte peek that finds the end of the stream (zero bytes) stands in.
// Its limit: a FIN behind data the server has not read yet is not seen; a
// client that sent more than the child took and then closed cleanly is
// noticed only when the child reads, exits, or the connection resets.
func socketHungUp(fd uintptr) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	if err != nil || n == 0 {
		return false
	}
	if fds[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0 {
		return true
	}
	var b [1]byte
	// The socket is non-blocking (Go's poller), so the peek cannot wait.
	n, _, err = unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK)
	switch err {
	case nil:
		return n == 0 // zero bytes: the end of the stream, a FIN
	case unix.EAGAIN, unix.EINTR:
		return false
	}
	return true // ECONNRESET and the like
}

// finBehindDataSeen: the peek sees the data, not the FIN behind it (tested).
const finBehindDataSeen = false
