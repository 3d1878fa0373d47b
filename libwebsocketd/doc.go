// Package libwebsocketd is the engine of websocketd: an http.Handler that
// upgrades a request to a WebSocket and serves it with a process of its
// own, a seat in a room or a connection to a service (--connect), the
// HTTP surface around it (script directories, static files, CGI, the dev
// console, authentication, proxies, metrics) and the listeners that
// serve it. The child process and the pipes it is
// read through are the internal packages child and pipes.
//
// # The life of a session
//
// Handler.ServeHTTP (handler.go) believes a trusted proxy's headers,
// checks the Host and Basic credentials and counts the upgrade as live, then
// serveUpgrade (upgrade.go) decides everything that can refuse it before
// the 101: the origin, the script, the subprotocol, the --maxclients and
// --maxforks slots, --once (with --room, serveRoomUpgrade finds or starts
// the room and takes a seat there, also before the 101). After gorilla's
// upgrade, read through hijack.go's reader and written through cork.go's
// batching, startSession starts the child (child.Start, with env.go's
// environment) and chooses the session's codec once (chooseCodec).
// openSession (session_open.go) wraps the connection in a socket, gives
// the session its accounting and timers, logs CONNECT and starts two
// pumps: the stdin pump (relay.go) reads client messages, parking while
// the client is quiet, and hands them to the backend's input; the
// backend's output side (output.go for a process, room_seat.go for a
// seat) sends what the program writes, cut into messages by the codec,
// through the session's outbound port (outbound.go). When the client
// leaves first, the stdin pump stops the backend: the stop sequence
// (child.Process.Stop: stdin closed, then SIGINT, SIGTERM, SIGKILL, each
// after a grace), unless the session is resumable (--resumems, resume.go)
// and its connection dropped: then the process is kept for the client's
// return. When the output ends, the output side reaps the child
// and says through the port how it ended, which sends the last stderr
// lines and the close frame. Once both pumps are done the session logs
// DISCONNECT (sessionend.go) and gives back its slots.
//
// With --sse, a GET that accepts text/event-stream is served the same way
// without an upgrade (sse.go): its process or seat sends through an
// sseSession, whose outbound port writes events to the response, and
// whose request goroutine stays to send keep-alives and to stop the
// backend once the client is gone.
//
// # Where each concern lives
//
//	handler.go                     routing of a request; what a shutdown waits for
//	router.go                      --config's routes: a Handler per path, replaced on SIGHUP
//	mount.go                       a Handler under a route's path: --dir, --staticdir, --cgidir below it
//	retire.go                      a route a reload took away: its Handler ends with its last session
//	upgrade.go                     the checks before the 101; starting a session or a seat
//	origin.go                      --origin and --sameorigin
//	hostallow.go, hostcheck.go     the Host check: --allowhost, loopback-only servers
//	resolve*.go, winpath.go        the script a URL names in --dir; Windows' names
//	queryargs.go                   args_from_query: command arguments from the URL
//	shebang.go                     why a script that exists cannot start
//	subprotocol.go                 --subprotocol
//	env*.go, reversedns.go         the child's environment; REMOTE_HOST
//	slotlimit.go                   --maxforks and --maxclients slots
//	once.go                        --once
//	hijack.go, readahead.go        the upgraded connection, read ahead of gorilla
//	readbuffer.go                  a busy client's bigger read buffer, until it parks
//	cork.go                        the frames of a burst leave in one write
//	socket.go                      the WebSocket end: whole messages in and out
//	utf8stream.go                  text from clients checked as it arrives
//	keepalive.go                   --pingms
//	session.go                     one connection and what serves it
//	session_open.go                the one way a session opens
//	session_log.go                 a session's log: its label, made into attributes only for a line
//	relay.go                       the stdin pump and its burst writer
//	stdinwriter.go, hangup_*.go    stdin writes that notice a client gone
//	backend.go                     what serves a session; processBackend, a process
//	outbound.go                    what a backend may do to its client: the session
//	output.go                      a process's output side, on the shared watcher
//	bridge*.go                     --connect: a connection to a service as the backend
//	resume.go                      --resumems: a process kept for its client's return
//	resume_output.go               what it does with the output; detach at a drop
//	resume_kept.go                 the output a returning client may still need
//	resume_tokens.go               the tokens a client comes back with
//	resume_upgrade.go              ?resume=: the checks before the 101, the return
//	stderr.go                      a session's stderr: to the log, --passstderr
//	codec.go                       lines, chunks, --framed, --terminal, --passstderr
//	framed.go                      the --framed format
//	terminal.go                    --terminal input: typing and resize messages
//	outputlimit.go                 --maxlinesize
//	park_watch.go                  parking a quiet client's reader: the watcher's side
//	park_socket.go                 parking: the socket's side (linger, pings, buffer)
//	session_accounting.go          counts for --metrics; outcome and exit code
//	timeouts.go                    --idlems and --maxsessionms
//	sessionend.go                  the DISCONNECT line
//	room_hub.go                    --room: the rooms by key, their slots, lingering
//	room.go                        one room: its process, its hub, stdin in turn
//	room_seat.go                   a client's seat: its queue; the seat as a backend
//	room_batch.go                  a room's messages framed once, in batches, for all their clients
//	room_json.go                   --room=json: events and addressed messages
//	replay.go, room_replay.go      --roomreplay: the last messages, for a client that joins
//	cluster.go                     --cluster: the connection to NATS, the lease bucket
//	cluster_lease.go               which node runs a room's process: a lease
//	cluster_room.go                a cluster room's clients here, linked to its process
//	cluster_owner.go               a cluster room's process, on the lease's holder
//	cluster_wire.go                what nodes say to each other about a room
//	cluster_replay.go              --roomreplay in a cluster: the owner's replay, fetched
//	sse.go                         --sse: which GETs get an event stream; its checks
//	sse_session.go                 an event stream's session and outbound port
//	sse_stream.go                  the response: bursts, deadlines, keep-alives
//	sse_event.go                   a message as one Server-Sent Event
//	cgi.go, cgibody.go, cgienv.go  --cgidir
//	static.go                      --staticdir
//	console.go, terminalpage.go    the --devconsole pages
//	auth*.go, htpasswd.go          --basicauth
//	proxy.go, forwarded.go         --trustproxy
//	metrics.go                     --metrics and /healthz
//	metrics_cluster.go             --cluster's metrics; /healthz without NATS
//	logging.go, uniquekeys.go      the log: levels, formats
//	access.go, httplog.go          the access log; net/http's own messages
//	server.go                      the listeners and their shutdown
//	tls.go, unix.go, redirect.go   --ssl, --unixsocket, --redirport
//	activation*.go                 systemd's sockets and readiness
//	config.go                      the Config a Handler serves
//	../internal/child              the child: start, stop sequence, containment, PTY
//	../internal/pipes              the shared watcher, lazy reads, line and chunk readers
package libwebsocketd
