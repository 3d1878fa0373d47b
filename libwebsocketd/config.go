package libwebsocketd

import (
	"net/http"
	"time"
)

// Config is everything a Handler needs to serve requests. The command line
// is parsed into it by the websocketd binary; a library user fills it in
// directly.
type Config struct {
	// Command is the program and its arguments, started once per
	// connection. Empty when ScriptDir is used instead.
	Command []string
	// ScriptDir selects the program from the URL path (--dir).
	ScriptDir string
	// Connect, instead of a program, serves each WebSocket connection from
	// a fresh connection to this address (--connect): "HOST:PORT" for TCP,
	// "unix:PATH" for a Unix socket. Bytes go both ways through the codec
	// (Binary: raw, else lines; Framed). It excludes Command, ScriptDir,
	// Room, PTY, Terminal and PassStderr; the address is the operator's
	// alone, nothing in a request changes it.
	Connect string
	// StaticDir serves plain files to non-WebSocket requests.
	StaticDir string
	// StaticList allows directory listings in StaticDir.
	StaticList bool
	// CGIDir runs CGI/1.1 scripts for non-WebSocket requests.
	CGIDir string
	// CGIBodyTimeout cuts off a CGI request body that delivers nothing
	// for this long: the client gets 408 unless the script has answered
	// already, and the script's stdin ends. 0 means no limit.
	CGIBodyTimeout time.Duration
	// DevConsole serves the built-in console page to plain GET requests.
	DevConsole bool
	// Mount is the path prefix a Router serves this Handler under (a
	// route "/scripts/" has the Mount "/scripts"): ScriptDir, CGIDir and
	// StaticDir find their files from what follows it, and SCRIPT_NAME
	// starts with it. "" serves at "/".
	Mount string
	// ArgsFromQuery names a query parameter whose values, in order, are
	// appended to Command's arguments, each an argument of its own
	// (queryargs.go); "" appends none.
	ArgsFromQuery string
	// WorkDir is the working directory of Command's processes; "" is the
	// server's own. (A script of ScriptDir runs in its own directory.)
	WorkDir string
	// SSE also answers a GET that accepts text/event-stream, with the
	// program's output lines as Server-Sent Events (--sse): a process of
	// its own, or a seat in a room. Not with Binary, Framed or Terminal.
	SSE bool

	// Binary relays raw bytes in binary messages instead of text lines.
	Binary bool
	// PassStderr sends stdout and stderr lines as JSON objects.
	PassStderr bool
	// PTY makes the child's stdout a pseudo-terminal in raw mode, so that
	// its C library line-buffers it; stdin and stderr stay pipes.
	PTY bool
	// Terminal gives the child a whole pseudo-terminal as its controlling
	// terminal; output goes out as binary messages, and text messages
	// {"resize":{"cols":N,"rows":N}} set the window size. Implies Binary.
	Terminal bool
	// MaxForks bounds the number of live processes; 0 means unlimited.
	MaxForks int
	// MaxClients bounds the number of WebSocket connections; 0 means
	// unlimited (beyond MaxForks, without rooms).
	MaxClients int
	// Room is "" (a process per connection), "plain" or "json": connections
	// to the same path share one process (room.go).
	Room string
	// RoomLinger keeps a room's process this long after its last client.
	RoomLinger time.Duration
	// RoomQueue bounds the bytes waiting to be sent to one room client.
	RoomQueue int
	// RoomSlow is how long a room client's queue may stay full before the
	// client is closed with 1008.
	RoomSlow time.Duration
	// RoomReplay is how many of the last messages to everyone a room keeps
	// for a client that joins, which gets them before the live ones; 0:
	// none. RoomReplayBytes bounds the bytes of their data.
	RoomReplay      int
	RoomReplayBytes int
	// Cluster, when set, makes every room cluster-wide through NATS: one
	// process per room across the servers that share it (cluster*.go).
	Cluster *ClusterConfig
	// ResumeTimeout, when set, lets a client that asked for it (?resume=1)
	// come back to its process after its connection dropped without a
	// close frame: the process is kept this long, its output kept for the
	// client, at most ResumeBuffer bytes of it (resume*.go). 0: off.
	// Sessions of a process of their own only: not with Room, Connect,
	// PassStderr or Once.
	ResumeTimeout time.Duration
	ResumeBuffer  int
	// MaxFrameSize bounds an inbound message in bytes; 0 means unlimited.
	MaxFrameSize int64
	// MaxLineSize bounds, in bytes, a line the program writes (without its
	// line end), or with Framed a message: a longer one closes the session
	// (in a room, every session) with 1009 and stops the program; a longer
	// stderr line is logged in pieces. 0 means DefaultMaxLineSize.
	MaxLineSize int
	// CloseGrace is added to every step of the stop sequence (--closems).
	CloseGrace time.Duration
	// PingInterval sends a ping this often; a peer silent for two
	// intervals is dropped. 0 disables pings.
	PingInterval time.Duration

	// Framed relays every message in both directions as a 4-byte header
	// (top bit: text, other 31 bits: length) and the payload (framed.go).
	Framed bool
	// Subprotocols are the subprotocols served, in order of preference;
	// a client offering only others is refused with 400.
	Subprotocols []string
	// SubprotocolRequired refuses clients that offer no subprotocol.
	SubprotocolRequired bool
	// Compress negotiates permessage-deflate (RFC 7692) with clients that
	// offer it, at CompressLevel (1 fastest .. 9 smallest; 0: gorilla's).
	Compress      bool
	CompressLevel int

	// PassEnv names the server's environment variables the child inherits.
	PassEnv []string
	// Env are NAME=VALUE variables every child gets (--env); the
	// request's own variables win over them.
	Env []string
	// Environ is the server's environment (os.Environ() in the binary).
	Environ []string
	// ReverseLookup fills REMOTE_HOST with the client's PTR name.
	ReverseLookup bool

	// Origins lists the allowed Origin values; empty allows any.
	Origins []string
	// SameOrigin requires Origin to match the Host header.
	SameOrigin bool
	// AllowHosts, when set (--allowhost), lists the Host names served
	// besides loopback ones, on every listener; when nil, a server whose
	// listeners are all on loopback serves loopback names alone.
	AllowHosts *AllowedHosts

	// Headers go on every response, HeadersWS only on the 101 upgrade
	// response and HeadersHTTP only on plain HTTP responses.
	Headers, HeadersWS, HeadersHTTP http.Header

	// BasicAuth, when set, requires its users' credentials on every
	// request (--basicauth).
	BasicAuth *BasicAuth
	// TrustProxies are the proxies whose forwarding headers name the
	// client (--trustproxy).
	TrustProxies TrustedProxies
	// TrustProxyHeader is the one family of forwarding headers believed
	// from them (--trustproxyheader); the other is ignored.
	TrustProxyHeader ProxyHeader

	// IdleTimeout closes a session with no message either way for this
	// long; MaxSession closes any session this old. 0 disables either.
	IdleTimeout, MaxSession time.Duration
	// Once serves a single WebSocket session; OnceDone then reports its
	// child's exit status (--once).
	Once bool
	// Metrics, when set, counts sessions, messages and processes.
	Metrics *Metrics

	// Version is reported in SERVER_SOFTWARE.
	Version string
}
