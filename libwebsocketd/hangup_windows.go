package libwebsocketd

// socketHungUp cannot look at a Windows socket without reading from it
// (Go's sockets there are overlapped, not non-blocking, and there is no
// POLLRDHUP), so it reports nothing: on Windows, a client that leaves while
// the child does not read stdin is noticed once the child reads or exits.
func socketHungUp(uintptr) bool { return false }
