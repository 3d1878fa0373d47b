// Package child starts and ends the program that serves a WebSocket
// session or a room, and everything it starts: Start wires its standard
// streams (three pipes, a pseudo-terminal for stdout with --pty, or a
// whole controlling terminal with --terminal) and starts it in a group of
// its own (a process group on Unix, a Job Object on Windows, where a batch
// file runs through cmd.exe); Stop runs the stop sequence (stdin closed,
// then SIGINT, SIGTERM, SIGKILL, each after a grace), Kill ends the group
// at once, and Wait reaps the child and kills what is left of its tree. On
// Linux, InitContainment adds a cgroup per child (killed whole, emptied
// ones reused, those of killed servers swept at start) and makes the
// server the subreaper of orphans. It knows nothing of sessions,
// WebSocket or HTTP: libwebsocketd's processBackend turns a Process into
// a session's backend.
package child
