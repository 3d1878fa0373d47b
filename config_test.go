package main

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/websocketd/websocketd/libwebsocketd"
)

func mustParse(t *testing.T, args ...string) Config {
	t.Helper()
	cfg, err := parseConfig(args, []string{"PATH=/bin", "HOME=/root"})
	if err != nil {
		t.Fatalf("parseConfig(%q): %v", args, err)
	}
	return cfg
}

func TestFlagFormsAndCommandArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--port=8080", "./x.sh", "--verbose", "-p", "1"},
		{"--port", "8080", "./x.sh", "--verbose", "-p", "1"},
	} {
		cfg := mustParse(t, args...)
		if cfg.Server.Port != 8080 {
			t.Errorf("%q: port %d, want 8080", args, cfg.Server.Port)
		}
		want := []string{"./x.sh", "--verbose", "-p", "1"}
		if !reflect.DeepEqual(cfg.Handler.Command, want) {
			t.Errorf("%q: command %q, want %q", args, cfg.Handler.Command, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg := mustParse(t, "cat")
	h := cfg.Handler
	if cfg.Server.Port != 80 || h.MaxForks != 1024 || h.MaxFrameSize != 1<<20 ||
		!reflect.DeepEqual(h.PassEnv, defaultPassEnv(runtime.GOOS)) ||
		cfg.LogFormat != "text" || cfg.ShutdownGrace != 5*time.Second || !cfg.Server.ListenTCP {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
	if h.MaxLineSize != 1<<20 {
		t.Fatalf("--maxlinesize defaults to %d, want 1 MiB", h.MaxLineSize)
	}
	if tls := mustParse(t, "--ssl", "--sslcert=c", "--sslkey=k", "cat"); tls.Server.Port != 443 {
		t.Fatalf("--ssl default port %d, want 443", tls.Server.Port)
	}
}

func TestRepeatableAndListFlags(t *testing.T) {
	cfg := mustParse(t, "--address=127.0.0.1", "--address=[::1]", "--passenv=HOME,LANG",
		"--origin=a.example,https://b.example:8443", "--header=X-A: 1", "--header=X-B: two, three",
		"--header-ws=X-W: w", "--header-http=X-H: h", "--closems=250", "--pingms=1000", "cat")
	if !reflect.DeepEqual(cfg.Server.Addresses, []string{"127.0.0.1", "[::1]"}) {
		t.Errorf("addresses %q", cfg.Server.Addresses)
	}
	if !reflect.DeepEqual(cfg.Handler.PassEnv, []string{"HOME", "LANG"}) {
		t.Errorf("passenv %q", cfg.Handler.PassEnv)
	}
	if !reflect.DeepEqual(cfg.Handler.Origins, []string{"a.example", "https://b.example:8443"}) {
		t.Errorf("origins %q", cfg.Handler.Origins)
	}
	h := cfg.Handler
	if h.Headers.Get("X-A") != "1" || h.Headers.Get("X-B") != "two, three" ||
		h.HeadersWS.Get("X-W") != "w" || h.HeadersHTTP.Get("X-H") != "h" {
		t.Errorf("headers %v %v %v", h.Headers, h.HeadersWS, h.HeadersHTTP)
	}
	if h.CloseGrace != 250*time.Millisecond || h.PingInterval != time.Second {
		t.Errorf("closems %v pingms %v", h.CloseGrace, h.PingInterval)
	}
}

func TestUnixSocketAloneListensOnNoTCP(t *testing.T) {
	if mustParse(t, "--unixsocket=/tmp/x.sock", "cat").Server.ListenTCP {
		t.Error("--unixsocket alone should not listen on TCP")
	}
	if !mustParse(t, "--unixsocket=/tmp/x.sock", "--port=8080", "cat").Server.ListenTCP {
		t.Error("--unixsocket with --port should listen on TCP too")
	}
}

func TestInfoFlagsNeedNoCommand(t *testing.T) {
	for flag, show := range map[string]string{"--help": "help", "-h": "help", "--version": "version", "--license": "license"} {
		if cfg := mustParse(t, flag); cfg.Show != show {
			t.Errorf("%s: Show=%q, want %q", flag, cfg.Show, show)
		}
	}
}

func TestBadCommandLines(t *testing.T) {
	cases := []struct {
		args  []string
		usage bool // exit 2 rather than 1
		says  string
	}{
		{[]string{"--bogus", "cat"}, true, "unknown flag"},
		{[]string{"--port=abc", "cat"}, true, "invalid argument"},
		{[]string{}, false, "nothing to serve"},
		{[]string{"--dir=.", "cat"}, false, "either COMMAND or --dir"},
		{[]string{"--loglevel=loud", "cat"}, false, "unknown log level"},
		{[]string{"--logformat=xml", "cat"}, false, "--logformat"},
		{[]string{"--devconsole", "--staticdir=.", "cat"}, false, "--devconsole"},
		{[]string{"--passstderr", "--binary", "cat"}, false, "--passstderr"},
		{[]string{"--pty", "--terminal", "bash"}, false, "either --pty or --terminal"},
		{[]string{"--terminal", "--binary", "bash"}, false, "--terminal cannot"},
		{[]string{"--terminal", "--passstderr", "bash"}, false, "--terminal cannot"},
		{[]string{"--ssl", "--sslcert=c", "cat"}, false, "--sslkey"},
		{[]string{"--sslca=ca.pem", "cat"}, false, "need --ssl"},
		{[]string{"--port=70000", "cat"}, false, "between 0 and 65535"},
		{[]string{"--maxforks=-1", "cat"}, false, "negative"},
		{[]string{"--maxlinesize=0", "cat"}, false, "--maxlinesize must be between 1 and 2147483647"},
		{[]string{"--maxlinesize=2147483648", "cat"}, false, "--maxlinesize must be between 1"},
		{[]string{"--header=NoColon", "cat"}, false, `"Name: value"`},
		{[]string{"--header=Bad Name: v", "cat"}, false, `"Name: value"`},
		{[]string{"--origin=ftp://x", "cat"}, false, "scheme"},
		{[]string{"--trustproxy=10.0.0.0/33", "cat"}, false, "--trustproxy"},
		{[]string{"--trustproxy=proxy.example", "cat"}, false, "not a CIDR"},
		{[]string{"--trustproxy=127.0.0.1", "--trustproxyheader=both", "cat"}, false, "--trustproxyheader must be"},
		{[]string{"--trustproxyheader=forwarded", "cat"}, false, "--trustproxyheader needs --trustproxy"},
		{[]string{"--allowhost=", "cat"}, false, "--allowhost needs"},
		{[]string{"--allowhost=example.com:8080", "cat"}, false, "without a port"},
		{[]string{"--allowhost=*.example.com", "cat"}, false, "--allowhost"},
		{[]string{"--idlems=-5", "cat"}, false, "--idlems"},
		{[]string{"--maxsessionms=-1", "cat"}, false, "--maxsessionms"},
		{[]string{"--cgibodyms=-1", "--cgidir=."}, false, "--cgibodyms cannot be negative"},
		{[]string{"--idlems=soon", "cat"}, true, "invalid argument"},
		{[]string{"--once", "--staticdir=."}, false, "--once needs a COMMAND"},
		{[]string{"--metrics=9100", "cat"}, false, "ADDR:PORT"},
		{[]string{"--metrics=127.0.0.1:http", "cat"}, false, "from 0 to 65535"},
		{[]string{"--metrics=:70000", "cat"}, false, "from 0 to 65535"},
		{[]string{"--connect=127.0.0.1:5900", "cat"}, false, "either COMMAND, --dir or --connect"},
		{[]string{"--connect=127.0.0.1:5900", "--dir=."}, false, "either COMMAND, --dir or --connect"},
		{[]string{"--connect=127.0.0.1:5900", "--room"}, false, "--room cannot be combined with --connect"},
		{[]string{"--connect=127.0.0.1:5900", "--pty"}, false, "cannot be combined with --connect"},
		{[]string{"--connect=127.0.0.1:5900", "--terminal"}, false, "cannot be combined with --connect"},
		{[]string{"--connect=127.0.0.1:5900", "--passstderr"}, false, "cannot be combined with --connect"},
		{[]string{"--connect=127.0.0.1:5900", "--once"}, false, "--once needs a COMMAND"},
		{[]string{"--connect=5900"}, false, "--connect: \"5900\": want HOST:PORT or unix:PATH"},
		{[]string{"--connect=vnc:0"}, false, "--connect: \"vnc:0\": the port must be"},
		{[]string{"--connect=unix:"}, false, "--connect"},
		{[]string{"--sse", "--staticdir=."}, false, "--sse needs a COMMAND or --dir"},
		{[]string{"--sse", "--binary", "cat"}, false, "--sse cannot be combined"},
		{[]string{"--sse", "--framed", "cat"}, false, "--sse cannot be combined"},
		{[]string{"--sse", "--terminal", "bash"}, false, "--sse cannot be combined"},
	}
	for _, tc := range cases {
		_, err := parseConfig(tc.args, nil)
		var usage usageError
		if err == nil || errors.As(err, &usage) != tc.usage || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: error %v (usage=%v), want one saying %q (usage=%v)",
				tc.args, err, errors.As(err, &usage), tc.says, tc.usage)
		}
	}
}

func TestOperationsFlags(t *testing.T) {
	cfg := mustParse(t, "--basicauth=/etc/websocketd.htpasswd", "--trustproxy=127.0.0.1,10.0.0.0/8",
		"--metrics=127.0.0.1:9100", "--idlems=1500", "--maxsessionms=60000", "--once", "cat")
	h := cfg.Handler
	if cfg.BasicAuthFile != "/etc/websocketd.htpasswd" || cfg.MetricsAddr != "127.0.0.1:9100" ||
		len(h.TrustProxies) != 2 || h.TrustProxies[0].String() != "127.0.0.1/32" ||
		h.IdleTimeout != 1500*time.Millisecond || h.MaxSession != time.Minute || !h.Once {
		t.Fatalf("operations flags: %+v", cfg)
	}
	if h.TrustProxyHeader != libwebsocketd.XForwardedFor {
		t.Errorf("--trustproxyheader default %v, want X-Forwarded-For", h.TrustProxyHeader)
	}
	if h.AllowHosts != nil {
		t.Errorf("--allowhost not given, yet a list: %+v", h.AllowHosts)
	}
	if h := mustParse(t, "--allowhost=example.com,.apps.example", "cat").Handler; h.AllowHosts == nil {
		t.Error("--allowhost given, yet no list")
	}
	if h := mustParse(t, "--trustproxy=::1", "--trustproxyheader=Forwarded", "cat").Handler; h.TrustProxyHeader != libwebsocketd.Forwarded {
		t.Errorf("--trustproxyheader=Forwarded gave %v", h.TrustProxyHeader)
	}
	if d := mustParse(t, "cat"); d.BasicAuthFile != "" || d.MetricsAddr != "" || d.Handler.TrustProxies != nil ||
		d.Handler.IdleTimeout != 0 || d.Handler.MaxSession != 0 || d.Handler.Once {
		t.Fatalf("operations defaults: %+v", d)
	}
}

func TestCGIBodyTimeout(t *testing.T) {
	if d := mustParse(t, "--cgidir=.").Handler.CGIBodyTimeout; d != 10*time.Second {
		t.Errorf("default %v, want 10s", d)
	}
	if d := mustParse(t, "--cgidir=.", "--cgibodyms=250").Handler.CGIBodyTimeout; d != 250*time.Millisecond {
		t.Errorf("--cgibodyms=250: %v", d)
	}
}

// --sse carries lines: with --pty, --passstderr's JSON lines and rooms.
func TestSSEFlag(t *testing.T) {
	if mustParse(t, "cat").Handler.SSE {
		t.Error("--sse is on by default")
	}
	for _, args := range [][]string{{"--sse", "cat"}, {"--sse", "--passstderr", "cat"},
		{"--sse", "--room=json", "--dir=."}} {
		if !mustParse(t, args...).Handler.SSE {
			t.Errorf("%q: --sse not set", args)
		}
	}
}

func TestNoCommandIsNothingToServe(t *testing.T) {
	if _, err := parseConfig([]string{"--port=8080"}, nil); !errors.Is(err, errNothingToServe) {
		t.Errorf("no COMMAND: %v, want errNothingToServe", err)
	}
}

func TestProtocolFlags(t *testing.T) {
	h := mustParse(t, "--framed", "--subprotocol=v2.chat,v1.chat", "--subprotocolrequired",
		"--compress", "--compresslevel=9", "cat").Handler
	if !h.Framed || !reflect.DeepEqual(h.Subprotocols, []string{"v2.chat", "v1.chat"}) ||
		!h.SubprotocolRequired || !h.Compress || h.CompressLevel != 9 {
		t.Errorf("parsed %+v", h)
	}
	if h := mustParse(t, "cat").Handler; h.Framed || h.Compress || h.Subprotocols != nil || h.CompressLevel != 1 {
		t.Errorf("defaults %+v", h)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--framed", "--binary", "cat"}, "--framed cannot be combined"},
		{[]string{"--framed", "--passstderr", "cat"}, "--framed cannot be combined"},
		{[]string{"--framed", "--terminal", "cat"}, "--framed cannot be combined"},
		{[]string{"--subprotocol=a b", "cat"}, `"a b" is not a protocol name`},
		{[]string{"--subprotocol=chat,", "cat"}, `"" is not a protocol name`},
		{[]string{"--subprotocolrequired", "cat"}, "--subprotocolrequired needs --subprotocol"},
		{[]string{"--compresslevel=5", "cat"}, "--compresslevel needs --compress"},
		{[]string{"--compress", "--compresslevel=0", "cat"}, "from 1 to 9, not 0"},
		{[]string{"--compress", "--compresslevel=10", "cat"}, "from 1 to 9, not 10"},
	} {
		_, err := parseConfig(tc.args, nil)
		var usage usageError
		if err == nil || errors.As(err, &usage) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: error %v, want a configuration error saying %q", tc.args, err, tc.says)
		}
	}
}

// Windows has no pseudo-terminal we could test: both flags are refused
// there at start, with a message that says so.
// --connect relays bytes unless told otherwise; its address is not a
// command, and it is something to serve on its own.
func TestConnectFlag(t *testing.T) {
	cases := []struct {
		args           []string
		binary, framed bool
	}{
		{[]string{"--connect=127.0.0.1:5900"}, true, false},
		{[]string{"--connect=unix:/run/vnc.sock", "--binary=false"}, false, false},
		{[]string{"--connect=[::1]:5900", "--binary"}, true, false},
		{[]string{"--connect=localhost:5900", "--framed"}, false, true},
	}
	for _, tc := range cases {
		h := mustParse(t, tc.args...).Handler
		if h.Binary != tc.binary || h.Framed != tc.framed || len(h.Command) != 0 {
			t.Errorf("%q: Binary %v, Framed %v, Command %q", tc.args, h.Binary, h.Framed, h.Command)
		}
	}
	if h := mustParse(t, "--binary=false", "cat").Handler; h.Binary || h.Connect != "" {
		t.Error("without --connect nothing changes")
	}
}

func TestTerminalFlagsRefusedOnWindows(t *testing.T) {
	for _, cfg := range []libwebsocketd.Config{{PTY: true}, {Terminal: true}} {
		var problems []string
		checkTerminalFlags(cfg, "windows", func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf(format, args...))
		})
		if len(problems) != 1 || !strings.Contains(problems[0], "not supported on Windows") {
			t.Errorf("%+v on windows: %q, want one problem naming Windows", cfg, problems)
		}
		checkTerminalFlags(cfg, "linux", func(format string, args ...any) {
			t.Errorf("%+v on linux: refused with %q", cfg, fmt.Sprintf(format, args...))
		})
	}
}
