package pipes

// A goroutine waiting on a pipe costs a stack (4 KiB once it has done any
// work), and most of a session's life is waiting. So the child's pipes are
// waited on by one goroutine for all sessions, with epoll: stderr is read
// right there (ReadLines), and stdout gets a goroutine only while it has
// output to send (its user's Ready starts one). A client's socket is waited
// on there too while the client is quiet, so a quiet session has no
// goroutine at all.
//
// That watcher is Linux's epoll (watcher_linux.go). Elsewhere, and on Linux
// built with -tags portable, there is none (watcher_portable.go): every
// session reads stdout and stderr with a goroutine each, which is what its
// users fall back to when SharedWatcher fails.

// Watched is a pipe or socket the watcher waits on. Ready runs on the
// watcher's goroutine when it is readable or at its end, and must not
// block. SetWatchID gives the entry its id before the watcher can report
// it; Rearm and Remove take that id.
type Watched interface {
	Ready()
	SetWatchID(id int32)
}
