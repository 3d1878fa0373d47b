// Package pipes reads a child's pipes so that waiting costs next to
// nothing: one shared watcher (Linux's epoll; none in the portable build)
// waits on every pipe and quiet socket and calls back whoever is Watched;
// Inputs read a pipe into a pooled buffer taken only once there is
// something to read (NewLazyInput waits, NewLingerInput waits Linger at
// most, the stderr reader never waits); LineReader and ChunkReader cut
// what an Input reads into lines or chunks, holding a buffer only while it
// holds unread bytes; ReadLines reads a stderr pipe line by line to its
// end. It knows nothing of sessions, WebSocket or HTTP: libwebsocketd
// turns what it reads into messages.
package pipes
