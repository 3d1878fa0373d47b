// Package libwebsocketd is the engine of websocketd: an http.Handler that
// upgrades a request to a WebSocket, starts one process for it and relays
// between the two, plus the HTTP surface around it (script directories,
// static files, CGI, the dev console) and the listeners that serve it.
//
// The flow of one connection reads top to bottom through these files:
//
//	handler.go  routing of one request (upgrade, console, CGI, static, 404)
//	upgrade.go  checks before the upgrade (origin, script, forks limit)
//	session.go  one connection: a process endpoint and a socket endpoint
//	relay.go    the two pumps between them (stdin and stdout directions)
//	process.go  the child: its own process group, stop sequence, reaping
//	socket.go   the WebSocket side, on top of gorilla/websocket
package libwebsocketd
