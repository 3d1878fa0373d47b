package libwebsocketd

// A goroutine waiting on a pipe costs a stack (4 KiB once it has done any
// work), and most of a session's life is waiting. So the child's pipes are
// waited on by one goroutine for all sessions, with epoll: stderr is read
// right there (stderr.go), and stdout gets a goroutine only while it has
// output to send (output.go). The client's socket is waited on there too
// while the client is quiet (park_watch.go), so a quiet session has no
// goroutine at all.
//
// That watcher is Linux's epoll (watcher_linux.go). Elsewhere, and on Linux
// built with -tags portable, there is none (watcher_portable.go): every
// session reads stdout and stderr with a goroutine each, which is what
// output.go and stderr.go fall back to when sharedWatcher fails.

// watched is a pipe or socket the watcher waits on. ready runs on the
// watcher's goroutine when it is readable or at its end, and must not
// block.
// setWatchID gives the entry its id before the watcher can report it.
type watched interface {
	ready()
	setWatchID(id int32)
}
