package libwebsocketd

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// hostAllowed applies the Host rule to one Host header value.
func hostAllowed(a *AllowedHosts, value string) bool {
	host, addr, ok := parseHostHeader(value)
	return ok && a.allows(host, addr)
}

func TestLoopbackHostsAlwaysAllowed(t *testing.T) {
	loopback := []string{"localhost", "LocalHost:8080", "localhost.", "localhost.:80", "app.localhost",
		"A.B.LOCALHOST:1", "127.0.0.1", "127.0.0.1:8080", "127.9.8.7", "127.0.0.1.:80", "[::1]", "[::1]:8080",
		"[0:0:0:0:0:0:0:1]:80", "[::ffff:127.0.0.1]", "localhost:"}
	notLoopback := []string{"evil.example", "evil.example:8080", "localhost.evil.example", "evillocalhost",
		"127.0.0.1.evil.example", "128.0.0.1", "10.0.0.1:80", "[::2]", "0.0.0.0", "[::]", "127.1", "2130706433",
		"0x7f.0.0.1", "::1", "[::1", "[127.0.0.1]", "[fe80::1%25lo]", "localhost:80:80", "localhost:http",
		"localhost:123456", "local host", "", ":80", "localhost..", ".localhost", "[::1]x", "[::1]:8080x"}
	for _, list := range []*AllowedHosts{nil, mustAllowHosts(t, "example.com")} {
		for _, host := range loopback {
			if !hostAllowed(list, host) {
				t.Errorf("Host %q refused", host)
			}
		}
		for _, host := range notLoopback {
			if hostAllowed(list, host) {
				t.Errorf("Host %q allowed", host)
			}
		}
	}
}

func mustAllowHosts(t testing.TB, entries ...string) *AllowedHosts {
	t.Helper()
	a, err := ParseAllowedHosts(entries)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAllowHostEntries(t *testing.T) {
	list := mustAllowHosts(t, "Example.COM.", " .apps.example ", "192.0.2.1", "2001:db8::1", "[2001:db8::2]", "::ffff:198.51.100.1")
	allowed := []string{"example.com", "EXAMPLE.com:8443", "example.com.", "apps.example", "a.apps.example:80",
		"x.y.apps.example", "192.0.2.1", "192.0.2.1:8080", "[2001:db8::1]", "[2001:DB8:0::2]:443", "198.51.100.1"}
	refused := []string{"www.example.com", "example.com.evil", "xapps.example", "apps.example.evil",
		"192.0.2.2", "[2001:db8::3]", "[::ffff:192.0.2.1]x", "evil.example"}
	for _, host := range allowed {
		if !hostAllowed(list, host) {
			t.Errorf("Host %q refused", host)
		}
	}
	for _, host := range refused {
		if hostAllowed(list, host) {
			t.Errorf("Host %q allowed", host)
		}
	}
	any := mustAllowHosts(t, "*")
	for _, host := range []string{"evil.example", "192.0.2.9:1", "[2001:db8::9]"} {
		if !hostAllowed(any, host) {
			t.Errorf("--allowhost=*: Host %q refused", host)
		}
	}
	if hostAllowed(any, "not a host") {
		t.Error("--allowhost=*: a malformed Host allowed")
	}
}

func TestAllowHostBadEntries(t *testing.T) {
	for _, bad := range []string{"", " ", "example.com:8080", "[::1]:80", "*.example.com", "exa mple.com",
		"http://example.com", "example..com", ".", "..example.com", "fe80::1%eth0", "[::1", "example.com/x",
		strings.Repeat("a", 64) + ".example"} {
		if _, err := ParseAllowedHosts([]string{"ok.example", bad}); err == nil || !strings.Contains(err.Error(), "--allowhost") {
			t.Errorf("%q: %v, want an --allowhost error", bad, err)
		}
	}
	if _, err := ParseAllowedHosts([]string{}); err == nil || !strings.Contains(err.Error(), "--allowhost") {
		t.Errorf("no entries: %v, want an --allowhost error", err)
	}
}

// The Handler checks the Host header and, from a trusted proxy, the host
// it forwards; a request without Host passes.
func TestHandlerAllowsHost(t *testing.T) {
	nets, _ := ParseTrustedProxies([]string{"127.0.0.1"})
	h := &Handler{cfg: Config{TrustProxies: nets, AllowHosts: mustAllowHosts(t, "public.example")},
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cases := []struct {
		host, forwardedHost string
		want                bool
	}{
		{"public.example", "", true},
		{"127.0.0.1:8080", "public.example", true},
		{"127.0.0.1:8080", "evil.example", false},
		{"evil.example", "public.example", false},
		{"", "", true},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host, r.RemoteAddr = tc.host, "127.0.0.1:5000"
		if tc.forwardedHost != "" {
			r.Header.Set("X-Forwarded-Host", tc.forwardedHost)
		}
		if got := h.allowsHost(h.behindProxy(r)); got != tc.want {
			t.Errorf("Host %q, X-Forwarded-Host %q: allowed %v, want %v", tc.host, tc.forwardedHost, got, tc.want)
		}
	}
}

func TestOnlyLoopback(t *testing.T) {
	listen := func(network, addr string) net.Listener {
		l, err := net.Listen(network, addr)
		if err != nil {
			t.Skipf("cannot listen on %s %s: %v", network, addr, err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	v4 := listen("tcp", "127.0.0.1:0")
	if !onlyLoopback([]net.Listener{v4}) {
		t.Error("127.0.0.1 is not loopback")
	}
	if onlyLoopback(nil) {
		t.Error("no listener counts as loopback")
	}
	// A listener that only says it is a Unix socket: Wine has no AF_UNIX,
	// and the check looks at nothing but the address.
	unix := unixAddrListener{v4}
	if onlyLoopback([]net.Listener{v4, unix}) {
		t.Error("a Unix socket counts as loopback")
	}
	if all := listen("tcp", ":0"); onlyLoopback([]net.Listener{v4, all}) {
		t.Error("all interfaces count as loopback")
	}
}

// FuzzHostHeader: the Host rule never panics; whatever it allows without a
// list is a loopback name or address, and what it allows with one is
// loopback or matches an entry once lower-cased and stripped of its port.
func FuzzHostHeader(f *testing.F) {
	for _, seed := range []string{"localhost:8080", "[::1]:80", "127.0.0.1.", "evil.example", "a.apps.example:1",
		"[::ffff:127.0.0.1]", "LOCALHOST.", "192.0.2.1:", "[fe80::1%25lo]:80", "x:y:z", "\x00", "[]"} {
		f.Add(seed)
	}
	list := mustAllowHosts(f, "public.example", ".apps.example", "192.0.2.1")
	f.Fuzz(func(t *testing.T, value string) {
		host, addr, ok := parseHostHeader(value)
		if !ok {
			if hostAllowed(nil, value) || hostAllowed(list, value) {
				t.Fatalf("malformed %q allowed", value)
			}
			return
		}
		if host != strings.ToLower(host) || strings.HasSuffix(host, ".") || strings.ContainsAny(host, "[]") {
			t.Fatalf("%q: host %q not normalised", value, host)
		}
		if hostAllowed(nil, value) && !isLoopbackHost(host, addr) {
			t.Fatalf("%q allowed without a list, but not loopback", value)
		}
		if hostAllowed(list, value) && !isLoopbackHost(host, addr) && host != "public.example" &&
			host != "apps.example" && !strings.HasSuffix(host, ".apps.example") && host != "192.0.2.1" {
			t.Fatalf("%q allowed by the list, matching no entry", value)
		}
	})
}

// unixAddrListener is a listener whose address is a Unix socket's.
type unixAddrListener struct{ net.Listener }

func (unixAddrListener) Addr() net.Addr { return &net.UnixAddr{Name: "/run/s", Net: "unix"} }
