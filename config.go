package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/websocketd/websocketd/libwebsocketd"
)

// Config is the whole command line, parsed and checked for consistency.
type Config struct {
	Handler   libwebsocketd.Config
	Server    libwebsocketd.ServerConfig
	LogLevel  slog.Level
	LogFormat string
	// ShutdownGrace bounds the wait for sessions on SIGTERM or SIGINT.
	ShutdownGrace time.Duration
	// Show is "help", "version", "license", "check" or "print-config"
	// when that is all to do.
	Show string
	// MisplacedFlags are arguments after COMMAND that look like our own
	// flags; they go to COMMAND, and the server warns about them once.
	MisplacedFlags []string
	// BasicAuthFile is the htpasswd file of --basicauth; main reads it.
	BasicAuthFile string
	// MetricsAddr is where --metrics serves /metrics and /healthz.
	MetricsAddr string
	// ConfigFile is --config's file, read again on SIGHUP.
	ConfigFile string
	// Routes are the file's [[route]] tables, each a Handler of its own
	// (config_routes.go); nil when one Handler serves every path: the
	// command line's COMMAND, --dir, --staticdir...
	Routes []RouteConfig
	// Printed is what --print-config prints.
	Printed string
	// args and environ are what the Config was loaded from, to load it
	// again on SIGHUP.
	args, environ []string
	// serverKey sums up the server-wide settings: a reload that would
	// change them is refused, as they take a restart.
	serverKey string
}

// usageError is a command line that cannot be parsed (exit 2); any other
// error from parseConfig is a bad configuration (exit 1).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// errNothingToServe is a command line without COMMAND, --dir, --staticdir
// or --cgidir: most often someone trying the program, who needs the usage.
var errNothingToServe = errors.New("nothing to serve: give a COMMAND, or --dir, --connect, --staticdir or --cgidir")

// flagValues holds what pflag writes; parseConfig turns it into a Config.
type flagValues struct {
	port, maxForks, closeMS, pingMS, redirPort, shutdownMS int
	maxClients, roomLingerMS, roomQueue, roomSlowMS        int
	room                                                   string
	maxFrameSize                                           int64
	maxLineSize                                            int
	addresses, headers, headersWS, headersHTTP             []string
	passEnv, origins                                       []string
	dir, staticDir, cgiDir, logLevel, logFormat            string
	connect                                                string
	cgiBodyMS                                              int
	sslCert, sslKey, sslCA, unixSocket                     string
	binary, staticList, devConsole, sameOrigin, ssl        bool
	reverseLookup, passStderr, help, version, license      bool
	framed, compress, subprotocolRequired                  bool
	compressLevel                                          int
	subprotocols                                           []string
	pty, terminal                                          bool
	env                                                    []string
	configFile                                             string
	check, printConfig                                     bool
	sse                                                    bool
	ops                                                    opsFlags
	cluster                                                clusterFlags
	replay                                                 replayFlags
	resume                                                 resumeFlags
}

// opsFlags are the operations flags: authentication, proxies, allowed
// hosts, metrics, timeouts and --once.
type opsFlags struct {
	basicAuth, metrics string
	trustProxy         []string
	trustProxyHeader   string
	allowHosts         []string
	idleMS, maxSession int
	once               bool
}

func declareOpsFlags(fs *pflag.FlagSet, o *opsFlags) {
	fs.StringVar(&o.basicAuth, "basicauth", "", "require HTTP Basic credentials from the htpasswd `FILE` (bcrypt entries only; re-read on SIGHUP)")
	fs.StringSliceVar(&o.trustProxy, "trustproxy", nil, "believe the forwarding headers (--trustproxyheader) of peers in these `CIDRs`, comma separated")
	fs.StringVar(&o.trustProxyHeader, "trustproxyheader", "x-forwarded-for", "the one `HEADER` family believed from --trustproxy peers: x-forwarded-for (with X-Forwarded-Proto and -Host) or forwarded (RFC 7239); the other is ignored")
	fs.StringSliceVar(&o.allowHosts, "allowhost", nil, "serve only requests whose Host is a loopback name or in this comma-separated `LIST`: example.com, .example.com (and its subdomains), an IP address, or * (default: loopback names alone when every listener is on loopback, else any)")
	fs.StringVar(&o.metrics, "metrics", "", "serve Prometheus /metrics and /healthz on this separate `ADDR:PORT`")
	fs.IntVar(&o.idleMS, "idlems", 0, "close a session with no message either way for `N` ms (1000 \"idle timeout\"; 0: never)")
	fs.IntVar(&o.maxSession, "maxsessionms", 0, "close any session `N` ms old (1000 \"session time limit\"; 0: no limit)")
	fs.BoolVar(&o.once, "once", false, "serve one WebSocket session, then exit with its process's exit status")
}

// declareConfigFileFlags declares the Configuration file flags.
func declareConfigFileFlags(fs *pflag.FlagSet, v *flagValues) {
	fs.StringVar(&v.configFile, "config", "", "read settings and [[route]] tables from the TOML `FILE` (see Configuration file below); flags given too override its top-level keys")
	fs.BoolVar(&v.check, "check", false, "load the configuration, print the routes it serves and exit: 0 if it is valid, 1 if not")
	fs.BoolVar(&v.printConfig, "print-config", false, "print the configuration file that does what this command line does, and exit")
}

// newFlagSet declares every flag once, with its help.
func newFlagSet(v *flagValues) *pflag.FlagSet {
	fs := pflag.NewFlagSet("websocketd", pflag.ContinueOnError)
	fs.SetInterspersed(false) // COMMAND and everything after it are the child's
	fs.SortFlags = false
	fs.IntVar(&v.port, "port", 0, "listen on TCP port `N` (default 80, or 443 with --ssl; 0 picks a free port)")
	fs.StringArrayVar(&v.addresses, "address", nil, "listen on the interface with address `ADDR`; repeat for several, IPv6 in brackets (default: all interfaces)")
	fs.StringVar(&v.unixSocket, "unixsocket", "", "also (or only, without --port/--address) listen on the Unix socket at `PATH`")
	declareConfigFileFlags(fs, v)
	fs.StringVar(&v.dir, "dir", "", "serve the executables in `DIR`: the URL path selects the script")
	fs.StringVar(&v.connect, "connect", "", "serve each WebSocket connection from a fresh TCP connection to `ADDR` (HOST:PORT, or unix:PATH) instead of a process: bytes both ways as binary messages (with --binary=false: lines)")
	fs.StringVar(&v.staticDir, "staticdir", "", "serve plain files from `DIR` to non-WebSocket requests")
	fs.BoolVar(&v.staticList, "staticlist", false, "list directories without index.html in --staticdir")
	fs.StringVar(&v.cgiDir, "cgidir", "", "run CGI/1.1 scripts from `DIR` for non-WebSocket requests")
	fs.IntVar(&v.cgiBodyMS, "cgibodyms", 10000, "cut off a CGI request body that sends nothing for `MS` milliseconds: 408, and the script's stdin ends (0: no limit)")
	fs.BoolVar(&v.devConsole, "devconsole", false, "serve a developer console page to plain browser requests")
	fs.BoolVar(&v.sse, "sse", false, "also answer GET requests that accept text/event-stream with the program's output lines as Server-Sent Events")
	fs.BoolVar(&v.binary, "binary", false, "relay raw bytes as binary messages instead of text lines")
	fs.BoolVar(&v.framed, "framed", false, "keep message boundaries and types both ways: each message is a 4-byte header (top bit 1 = text, 31 bits length) and its payload")
	fs.StringSliceVar(&v.subprotocols, "subprotocol", nil, "serve these subprotocols, a comma-separated `LIST`, best first: the first the client offers is chosen (WEBSOCKET_PROTOCOL); a client offering only others gets 400")
	fs.BoolVar(&v.subprotocolRequired, "subprotocolrequired", false, "refuse (400) clients that offer no subprotocol of --subprotocol")
	fs.BoolVar(&v.compress, "compress", false, "compress messages (permessage-deflate, no context takeover) with clients that offer it")
	fs.IntVar(&v.compressLevel, "compresslevel", 1, "with --compress, deflate at level `N`, from 1 (fastest) to 9 (smallest)")
	fs.BoolVar(&v.passStderr, "passstderr", false, `send stdout and stderr lines as JSON {"stream":...,"data":...} messages`)
	fs.BoolVar(&v.pty, "pty", false, "stdout is a pseudo-terminal: lines arrive as they are printed, not in blocks (stdin, stderr stay pipes)")
	fs.BoolVar(&v.terminal, "terminal", false, "a full terminal for shells, vim, top: binary output, resize messages; hands out a shell (see below)")
	fs.IntVar(&v.maxForks, "maxforks", 1024, "most processes alive at once, CGI scripts included; more requests get HTTP 429 (0: unlimited)")
	fs.IntVar(&v.maxClients, "maxclients", 0, "most WebSocket connections at once; more get HTTP 429 (0: no cap beyond --maxforks)")
	fs.StringVar(&v.room, "room", "", "connections to the same path share one process: --room or --room=plain sends its lines to every client, --room=json speaks JSON events and addressed messages")
	fs.Lookup("room").NoOptDefVal = "plain"
	fs.IntVar(&v.roomLingerMS, "roomlinger", 0, "keep a room's process `MS` milliseconds after its last client leaves")
	fs.IntVar(&v.roomQueue, "roomqueue", 1<<20, "most `BYTES` waiting to be sent to one room client; while one is full the room stops reading its process")
	fs.IntVar(&v.roomSlowMS, "roomslowms", 3000, "close a room client whose queue stays full for `MS` milliseconds with 1008 too slow")
	declareReplayFlags(fs, &v.replay)
	declareClusterFlags(fs, &v.cluster)
	declareResumeFlags(fs, &v.resume)
	fs.Int64Var(&v.maxFrameSize, "maxframesize", 1<<20, "largest inbound message in bytes; a bigger one closes with 1009 (0: unlimited)")
	fs.IntVar(&v.maxLineSize, "maxlinesize", libwebsocketd.DefaultMaxLineSize, "longest line (with --framed, message) the process may write, in `BYTES` (1 to 2147483647); a longer one closes with 1009 and stops the process")
	fs.IntVar(&v.closeMS, "closems", 0, "give the child `MS` more milliseconds at each step of the stop sequence (stdin closed, SIGINT, SIGTERM, SIGKILL)")
	fs.IntVar(&v.pingMS, "pingms", 0, "send a ping every `MS` milliseconds; drop a peer silent for twice as long (0: no pings)")
	fs.IntVar(&v.shutdownMS, "shutdownms", 5000, "on SIGTERM/SIGINT, wait `MS` milliseconds for sessions to end before killing their processes")
	fs.StringSliceVar(&v.passEnv, "passenv", defaultPassEnv(runtime.GOOS), "the server environment variables the child inherits, as comma-separated `NAMES`")
	fs.StringArrayVar(&v.env, "env", nil, "set `NAME=VALUE` in every child's environment (repeatable); the request's own variables still win")
	fs.BoolVar(&v.reverseLookup, "reverselookup", false, "set REMOTE_HOST to the client's DNS name (PTR lookup)")
	fs.StringSliceVar(&v.origins, "origin", nil, "allow only these origins, a comma-separated `LIST` of host, host:port or scheme://host[:port]")
	fs.BoolVar(&v.sameOrigin, "sameorigin", false, "allow only an Origin equal to the Host the client addressed")
	fs.StringArrayVar(&v.headers, "header", nil, "add `HEADER` (\"Name: value\") to every response (repeatable)")
	fs.StringArrayVar(&v.headersWS, "header-ws", nil, "add `HEADER` (\"Name: value\") to WebSocket upgrade responses only (repeatable)")
	fs.StringArrayVar(&v.headersHTTP, "header-http", nil, "add `HEADER` (\"Name: value\") to plain HTTP responses only (repeatable)")
	fs.BoolVar(&v.ssl, "ssl", false, "serve TLS (wss:// and https://); needs --sslcert and --sslkey")
	fs.StringVar(&v.sslCert, "sslcert", "", "TLS certificate chain `FILE` (PEM)")
	fs.StringVar(&v.sslKey, "sslkey", "", "TLS private key `FILE` (PEM)")
	fs.StringVar(&v.sslCA, "sslca", "", "require client certificates signed by the CAs in `FILE` (mutual TLS)")
	fs.IntVar(&v.redirPort, "redirport", 0, "with --ssl, also serve plain HTTP on port `N`, redirecting to https")
	fs.StringVar(&v.logLevel, "loglevel", "access", "log records at `LEVEL` and above: debug, trace, access, info, error, fatal or none")
	fs.StringVar(&v.logFormat, "logformat", "text", "log `FORMAT`: text (the classic layout) or json")
	declareOpsFlags(fs, &v.ops)
	fs.BoolVarP(&v.help, "help", "h", false, "show this help and exit")
	fs.BoolVar(&v.version, "version", false, "show the version and exit")
	fs.BoolVar(&v.license, "license", false, "show the license and exit")
	return fs
}

// parseConfig turns the arguments (without the program name) and the
// server's environment into a Config. It reads no files: a --config file
// is refused (loadConfig reads it).
func parseConfig(args, environ []string) (Config, error) {
	return loadConfig(args, environ, func(name string) ([]byte, error) {
		return nil, errors.New("parseConfig reads no files")
	})
}

// loadConfig is parseConfig with --config's file read by read.
func loadConfig(args, environ []string, read func(string) ([]byte, error)) (Config, error) {
	var v flagValues
	fs := newFlagSet(&v)
	fs.SetOutput(io.Discard)
	args = acceptSingleDash(fs, args)
	if err := fs.Parse(args); err != nil {
		return Config{}, usageError{err}
	}
	switch {
	case v.help:
		return Config{Show: "help"}, nil
	case v.version:
		return Config{Show: "version"}, nil
	case v.license:
		return Config{Show: "license"}, nil
	case v.printConfig:
		printed, err := printConfig(fs, v.configFile)
		return Config{Show: "print-config", Printed: printed}, err
	}
	file, err := readConfigFile(fs, v.configFile, read)
	if err != nil {
		return Config{}, err
	}
	cfg, err := v.config(fs, fs.Args(), environ)
	if err != nil {
		return Config{}, err
	}
	cfg.MisplacedFlags = misplacedFlags(fs, fs.Args())
	cfg.ConfigFile, cfg.serverKey = v.configFile, serverKey(fs)
	cfg.args, cfg.environ = args, environ
	if v.check {
		cfg.Show = "check"
	}
	if file == nil || len(file.routes) == 0 {
		return cfg, cfg.check()
	}
	flagArgs := args[:len(args)-len(fs.Args())]
	if err := checkSiteTop(fs, *file, cfg); err != nil {
		return Config{}, err
	}
	cfg.Routes, err = buildRoutes(*file, flagArgs, environ)
	return cfg, err
}

func (v *flagValues) config(fs *pflag.FlagSet, command, environ []string) (Config, error) {
	level, err := libwebsocketd.ParseLevel(v.logLevel)
	if err != nil {
		return Config{}, err
	}
	var headers, headersWS, headersHTTP http.Header
	for _, h := range []struct {
		dst     *http.Header
		entries []string
		flag    string
	}{{&headers, v.headers, "--header"}, {&headersWS, v.headersWS, "--header-ws"}, {&headersHTTP, v.headersHTTP, "--header-http"}} {
		if *h.dst, err = parseHeaders(h.entries, h.flag); err != nil {
			return Config{}, err
		}
	}
	if fs.Changed("compresslevel") && !v.compress {
		return Config{}, errors.New("--compresslevel needs --compress")
	}
	port, listenTCP := v.listenPort(fs)
	env, err := parseEnv(v.env)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{
		LogLevel: level, LogFormat: v.logFormat,
		ShutdownGrace: time.Duration(v.shutdownMS) * time.Millisecond,
		Server: libwebsocketd.ServerConfig{
			Addresses: v.addresses, Port: port, ListenTCP: listenTCP,
			UnixSocket: v.unixSocket, RedirPort: v.redirPort, SystemdSockets: true,
			TLS: v.ssl, CertFile: v.sslCert, KeyFile: v.sslKey, ClientCAFile: v.sslCA,
		},
		Handler: libwebsocketd.Config{
			Command: command, ScriptDir: v.dir, Connect: v.connect, StaticDir: v.staticDir,
			StaticList: v.staticList, CGIDir: v.cgiDir, DevConsole: v.devConsole,
			CGIBodyTimeout: time.Duration(v.cgiBodyMS) * time.Millisecond,
			Binary:         v.binary || connectsInBinary(fs, v), PassStderr: v.passStderr, PTY: v.pty, Terminal: v.terminal,
			MaxForks: v.maxForks, MaxFrameSize: v.maxFrameSize, Framed: v.framed,
			MaxLineSize:  v.maxLineSize,
			Subprotocols: v.subprotocols, SubprotocolRequired: v.subprotocolRequired,
			Compress: v.compress, CompressLevel: v.compressLevel,
			MaxClients: v.maxClients, Room: v.room,
			RoomLinger: time.Duration(v.roomLingerMS) * time.Millisecond, RoomQueue: v.roomQueue,
			RoomSlow:     time.Duration(v.roomSlowMS) * time.Millisecond,
			CloseGrace:   time.Duration(v.closeMS) * time.Millisecond,
			PingInterval: time.Duration(v.pingMS) * time.Millisecond,
			PassEnv:      v.passEnv, Env: env, Environ: environ, ReverseLookup: v.reverseLookup,
			Origins: v.origins, SameOrigin: v.sameOrigin,
			Headers: headers, HeadersWS: headersWS, HeadersHTTP: headersHTTP,
			SSE:     v.sse,
			Version: fullVersion(),
		},
	}
	v.replay.apply(&cfg)
	v.resume.apply(&cfg)
	if err := v.cluster.apply(&cfg, environ); err != nil {
		return Config{}, err
	}
	return cfg, v.ops.apply(&cfg)
}

// connectsInBinary: --connect relays bytes, unless --binary=false asks for
// lines or --framed for its frames. Beside flags it refuses anyway
// (checkConnectFlags) it stays off, so that the error names only them.
func connectsInBinary(fs *pflag.FlagSet, v *flagValues) bool {
	refused := v.passStderr || v.terminal || v.room != ""
	return v.connect != "" && !fs.Changed("binary") && !v.framed && !refused
}

// listenPort is the TCP port to listen on, and whether to listen on TCP
// at all: not with --unixsocket alone.
func (v *flagValues) listenPort(fs *pflag.FlagSet) (int, bool) {
	port := v.port
	if !fs.Changed("port") {
		port = 80
		if v.ssl {
			port = 443
		}
	}
	return port, fs.Changed("port") || len(v.addresses) > 0 || v.unixSocket == ""
}

// check refuses combinations of flags that make no sense together.
func (c Config) check() error {
	h := c.Handler
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(h.Command) > 0 && h.ScriptDir != "" {
		fail("give either COMMAND or --dir, not both")
	}
	if len(h.Command) == 0 && h.ScriptDir == "" && h.Connect == "" && h.StaticDir == "" && h.CGIDir == "" {
		return errNothingToServe // the other checks would only add noise
	}
	if h.Cluster != nil && h.Room == "" {
		// (With a file's routes, those with a room share the cluster.)
		fail("--cluster needs --room: only rooms are shared across servers")
	}
	problems = append(problems, c.checkServing()...)
	problems = append(problems, c.checkServerWide()...)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// checkServing lists what is wrong with what the Handler serves and how.
func (c Config) checkServing() []string {
	h := c.Handler
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if h.DevConsole && (h.StaticDir != "" || h.CGIDir != "") {
		fail("--devconsole cannot be combined with --staticdir or --cgidir")
	}
	if h.CGIBodyTimeout < 0 {
		fail("--cgibodyms cannot be negative")
	}
	if h.PassStderr && h.Binary {
		fail("--passstderr cannot be combined with --binary")
	}
	problems = append(problems, checkProtocolFlags(h)...)
	checkConnectFlags(h, fail)
	checkTerminalFlags(h, runtime.GOOS, fail)
	if h.MaxForks < 0 || h.MaxFrameSize < 0 || h.CloseGrace < 0 || h.PingInterval < 0 {
		fail("--maxforks, --maxframesize, --closems and --pingms cannot be negative")
	}
	if h.MaxLineSize < 1 || h.MaxLineSize > libwebsocketd.LargestMaxLineSize {
		fail("--maxlinesize must be between 1 and %d bytes", libwebsocketd.LargestMaxLineSize)
	}
	c.checkRoom(fail)
	checkSSE(h, fail)
	c.checkReplay(fail)
	c.checkResume(fail)
	for _, entry := range h.Origins {
		if _, err := libwebsocketd.ParseOriginRule(entry); err != nil {
			fail("--origin: %v", err)
		}
	}
	return problems
}

// checkServerWide lists what is wrong with the settings of the whole
// server: listeners, TLS, logging and operations.
func (c Config) checkServerWide() []string {
	s := c.Server
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if s.TLS && (s.CertFile == "" || s.KeyFile == "") {
		fail("--ssl needs both --sslcert and --sslkey")
	}
	if !s.TLS && (s.CertFile != "" || s.KeyFile != "" || s.ClientCAFile != "" || s.RedirPort != 0) {
		fail("--sslcert, --sslkey, --sslca and --redirport need --ssl")
	}
	if s.Port < 0 || s.Port > 65535 || s.RedirPort < 0 || s.RedirPort > 65535 {
		fail("ports must be between 0 and 65535")
	}
	if c.ShutdownGrace < 0 {
		fail("--shutdownms cannot be negative")
	}
	c.checkCluster(fail)
	if c.LogFormat != "text" && c.LogFormat != "json" {
		fail("--logformat must be text or json, not %q", c.LogFormat)
	}
	return append(problems, c.checkOperations()...)
}

// checkRoom refuses bad room settings.
func (c Config) checkRoom(fail func(string, ...any)) {
	h := c.Handler
	switch h.Room {
	case "", "plain", "json":
	default:
		fail("--room must be plain or json, not %q", h.Room)
	}
	if h.MaxClients < 0 || h.RoomLinger < 0 || h.RoomSlow < 0 {
		fail("--maxclients, --roomlinger and --roomslowms cannot be negative")
	}
	if h.RoomQueue < 1 {
		fail("--roomqueue must be at least 1 byte")
	}
	if h.Room != "" && h.PassStderr {
		fail("--passstderr cannot be combined with --room: a room logs its process's stderr")
	}
	if h.Room != "" && h.Framed {
		fail("--framed cannot be combined with --room: a room's lines go to everyone")
	}
	if h.Room != "" && h.Once {
		fail("--once cannot be combined with --room: a room serves many sessions")
	}
	if h.Room != "" && (h.PTY || h.Terminal) {
		fail("--pty and --terminal cannot be combined with --room: a room's process has no one terminal")
	}
	if h.Room == "json" && h.Binary {
		fail("--room=json cannot be combined with --binary: its messages are JSON lines")
	}
}

// checkSSE refuses what --sse cannot carry: its events are text lines.
func checkSSE(h libwebsocketd.Config, fail func(string, ...any)) {
	if !h.SSE {
		return
	}
	if len(h.Command) == 0 && h.ScriptDir == "" {
		fail("--sse needs a COMMAND or --dir: its events are a program's output lines")
	}
	if h.Binary || h.Framed || h.Terminal {
		fail("--sse cannot be combined with --binary, --framed or --terminal: its events carry text lines")
	}
}

// parseHeaders reads "Name: value" entries of a --header flag.
func parseHeaders(entries []string, flag string) (http.Header, error) {
	headers := http.Header{}
	for _, entry := range entries {
		name, value, ok := strings.Cut(entry, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || !validHeaderName(name) || strings.ContainsAny(value, "\r\n\x00") {
			return nil, fmt.Errorf(`%s %q: want "Name: value"`, flag, entry)
		}
		headers.Add(name, value)
	}
	return headers, nil
}

// validHeaderName accepts the token characters of RFC 9110.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// checkProtocolFlags checks --framed, --subprotocol* and --compress*.
func checkProtocolFlags(h libwebsocketd.Config) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if h.Framed && (h.Binary || h.PassStderr || h.PTY || h.Terminal) {
		fail("--framed cannot be combined with --binary, --passstderr, --pty or --terminal")
	}
	for _, protocol := range h.Subprotocols {
		if !validHeaderName(protocol) {
			fail("--subprotocol: %q is not a protocol name (letters, digits and !#$%%&'*+-.^_`|~)", protocol)
		}
	}
	if h.SubprotocolRequired && len(h.Subprotocols) == 0 {
		fail("--subprotocolrequired needs --subprotocol")
	}
	if h.CompressLevel < 1 || h.CompressLevel > 9 {
		fail("--compresslevel must be from 1 to 9, not %d", h.CompressLevel)
	}
	return problems
}

// checkConnectFlags refuses what --connect cannot serve: it replaces the
// process, so whatever starts, shares or reads one has no meaning.
func checkConnectFlags(h libwebsocketd.Config, fail func(string, ...any)) {
	if h.Connect == "" {
		return
	}
	if _, _, err := libwebsocketd.ParseConnectAddress(h.Connect); err != nil {
		fail("--connect: %v", err)
	}
	if len(h.Command) > 0 || h.ScriptDir != "" {
		fail("give either COMMAND, --dir or --connect, not two of them")
	}
	if h.Room != "" {
		fail("--room cannot be combined with --connect: each connection gets its own connection to the service")
	}
	if h.PTY || h.Terminal || h.PassStderr {
		fail("--pty, --terminal and --passstderr cannot be combined with --connect: there is no process")
	}
	// --once is refused by checkOperations: it needs a process's exit status.
}

// checkTerminalFlags refuses what --pty and --terminal cannot do on goos.
func checkTerminalFlags(h libwebsocketd.Config, goos string, fail func(string, ...any)) {
	if (h.PTY || h.Terminal) && goos == "windows" {
		fail("--pty and --terminal are not supported on Windows")
	}
	if h.PTY && h.Terminal {
		fail("give either --pty or --terminal, not both (--terminal already makes stdout a terminal)")
	}
	if h.Terminal && (h.PassStderr || h.Binary) {
		fail("--terminal cannot be combined with --passstderr or --binary (a terminal's output is always binary, stderr included)")
	}
}
