package libwebsocketd

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	nets, err := ParseTrustedProxies([]string{"10.0.0.0/8", " 192.0.2.7 ", "2001:db8::/32", "10.1.2.3/8"})
	if err != nil || len(nets) != 4 || nets[1].Bits() != 32 || nets[3].String() != "10.0.0.0/8" {
		t.Fatalf("ParseTrustedProxies: %v %v", nets, err)
	}
	for _, addr := range []string{"10.9.9.9", "192.0.2.7", "::ffff:10.0.0.1", "2001:db8:1::1"} {
		if !nets.trusts(netip.MustParseAddr(addr)) {
			t.Errorf("%s not trusted", addr)
		}
	}
	if nets.trusts(netip.MustParseAddr("192.0.2.8")) {
		t.Error("192.0.2.8 trusted")
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "", "10.0.0.1/8/8"} {
		if _, err := ParseTrustedProxies([]string{bad}); err == nil || !strings.Contains(err.Error(), "--trustproxy") {
			t.Errorf("%q: %v, want a --trustproxy error", bad, err)
		}
	}
}

func TestParseProxyHeader(t *testing.T) {
	for name, want := range map[string]ProxyHeader{"x-forwarded-for": XForwardedFor,
		"X-Forwarded-For": XForwardedFor, "forwarded": Forwarded, " Forwarded ": Forwarded} {
		if got, err := ParseProxyHeader(name); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "both", "x-forwarded", "forwarded,x-forwarded-for", "x-real-ip"} {
		if _, err := ParseProxyHeader(bad); err == nil || !strings.Contains(err.Error(), "--trustproxyheader") {
			t.Errorf("%q: %v, want a --trustproxyheader error", bad, err)
		}
	}
}

// The peer is 127.0.0.1:5000, trusted with 10.0.0.0/8 as well.
func TestBehindProxy(t *testing.T) {
	xff, fwd := XForwardedFor, Forwarded
	both := http.Header{"Forwarded": {`for=192.0.2.60;proto=https;host="pub.example:8443"`},
		"X-Forwarded-For": {"203.0.113.1"}, "X-Forwarded-Proto": {"http"}, "X-Forwarded-Host": {"x.example"}}
	cases := []struct {
		name         string
		trust        string
		family       ProxyHeader
		header       http.Header
		remote, host string
		https        bool
	}{
		{"no headers", "127.0.0.1/32", xff, nil, "127.0.0.1:5000", "h.example", false},
		{"untrusted peer", "10.0.0.0/8", xff, http.Header{"X-Forwarded-For": {"203.0.113.1"}}, "127.0.0.1:5000", "h.example", false},
		{"xff right-most untrusted", "127.0.0.1/32,10.0.0.0/8", xff,
			http.Header{"X-Forwarded-For": {"198.51.100.9, 203.0.113.1", "10.0.0.2"}}, "203.0.113.1", "h.example", false},
		{"xff all trusted: left-most", "127.0.0.1/32,10.0.0.0/8", xff,
			http.Header{"X-Forwarded-For": {"10.0.0.3, 10.0.0.2"}}, "10.0.0.3", "h.example", false},
		{"xff proto and host", "127.0.0.1/32", xff,
			http.Header{"X-Forwarded-For": {"[2001:db8::5]:4711"}, "X-Forwarded-Proto": {"HTTPS"},
				"X-Forwarded-Host": {"public.example, inner"}}, "[2001:db8::5]:4711", "public.example", true},
		// A client's own Forwarded, passed on by a proxy that writes
		// X-Forwarded-For, must not choose the client's address or scheme.
		{"xff family ignores Forwarded", "127.0.0.1/32", xff, both, "203.0.113.1", "x.example", false},
		{"xff family, only Forwarded: peer", "127.0.0.1/32", xff,
			http.Header{"Forwarded": {"for=192.0.2.60;proto=https"}}, "127.0.0.1:5000", "h.example", false},
		{"forwarded family ignores X-Forwarded-*", "127.0.0.1/32", fwd, both, "192.0.2.60", "pub.example:8443", true},
		{"forwarded family, only X-Forwarded-*: peer", "127.0.0.1/32", fwd,
			http.Header{"X-Forwarded-For": {"203.0.113.1"}, "X-Forwarded-Proto": {"https"}}, "127.0.0.1:5000", "h.example", false},
		{"forwarded right-most untrusted", "127.0.0.1/32", fwd,
			http.Header{"Forwarded": {`for=192.0.2.60;proto=https;host="pub.example:8443", for=10.0.0.9`}},
			"10.0.0.9", "h.example", false},
		{"forwarded trusted hop skipped", "127.0.0.1/32,10.0.0.0/8", fwd,
			http.Header{"Forwarded": {`for=192.0.2.60;proto=https;host="pub.example:8443"`, `For="10.0.0.9:80"`}},
			"192.0.2.60", "pub.example:8443", true},
		{"forwarded ipv6 with port", "127.0.0.1/32", fwd,
			http.Header{"Forwarded": {`for="[2001:db8:cafe::17]:4711"`}}, "[2001:db8:cafe::17]:4711", "h.example", false},
		{"forwarded unknown: peer", "127.0.0.1/32", fwd, http.Header{"Forwarded": {"for=unknown"}}, "127.0.0.1:5000", "h.example", false},
		{"forwarded malformed: peer", "127.0.0.1/32", fwd, http.Header{"Forwarded": {`for="192.0.2.1`}}, "127.0.0.1:5000", "h.example", false},
		{"xff malformed: peer", "127.0.0.1/32", xff, http.Header{"X-Forwarded-For": {"192.0.2.1, not-an-ip"}}, "127.0.0.1:5000", "h.example", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nets, err := ParseTrustedProxies(strings.Split(tc.trust, ","))
			if err != nil {
				t.Fatal(err)
			}
			h := &Handler{cfg: Config{TrustProxies: nets, TrustProxyHeader: tc.family},
				log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			r := httptest.NewRequest(http.MethodGet, "http://h.example/", nil)
			r.RemoteAddr = "127.0.0.1:5000"
			for name, values := range tc.header {
				r.Header[name] = values
			}
			got := h.behindProxy(r)
			if got.RemoteAddr != tc.remote || clientHost(got) != tc.host || isHTTPS(got) != tc.https {
				t.Errorf("remote %q host %q https %v, want %q %q %v",
					got.RemoteAddr, clientHost(got), isHTTPS(got), tc.remote, tc.host, tc.https)
			}
		})
	}
}

// Behind a TLS-ending proxy the child and the CGI script see HTTPS=on,
// and the access log the https URL the client used.
func TestForwardedHTTPSReachesTheEnvironment(t *testing.T) {
	nets, _ := ParseTrustedProxies([]string{"127.0.0.1"})
	h := &Handler{cfg: Config{TrustProxies: nets, TrustProxyHeader: Forwarded}}
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	r.Host, r.RemoteAddr = "inner:8080", "127.0.0.1:5000"
	r.RemoteAddr = "127.0.0.1:5000"
	r.Header.Set("Forwarded", `for=192.0.2.60;proto=https;host=public.example`)
	r = h.behindProxy(r)
	env := strings.Join(buildEnv(r, requestEnv{}, nil, nil), "\n")
	for _, want := range []string{"HTTPS=on", "REMOTE_ADDR=192.0.2.60", "REMOTE_PORT=\n"} {
		if !strings.Contains(env+"\n", want) {
			t.Errorf("environment lacks %q:\n%s", want, env)
		}
	}
	if got := cgiExtraVars(r); len(got) != 1 || got[0] != "HTTPS=on" {
		t.Errorf("CGI extra variables %q", got)
	}
	if url := requestURL(r); url != "https://public.example/x" {
		t.Errorf("access log URL %q", url)
	}
	r.TLS = &tls.ConnectionState{} // the CGI host sets HTTPS itself then
	if got := cgiExtraVars(r); len(got) != 0 {
		t.Errorf("CGI extra variables over TLS %q", got)
	}
}

// FuzzForwarded: the parsers never panic; what they accept names an
// address that parses back; and each family ignores the other's headers.
func FuzzForwarded(f *testing.F) {
	f.Add(`for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"`, "198.51.100.1, 10.0.0.1")
	f.Add(`for=unknown;;host="a\"b"`, "[::1]:80")
	f.Add(`for="_hidden", for=1.2.3.4:0`, "1.2.3.4:65536")
	nets, _ := ParseTrustedProxies([]string{"10.0.0.0/8", "::1"})
	f.Fuzz(func(t *testing.T, fwd, xff string) {
		for _, tc := range []struct {
			family        ProxyHeader
			header, other http.Header
		}{
			{Forwarded, http.Header{"Forwarded": {fwd}}, http.Header{"X-Forwarded-For": {xff}, "X-Forwarded-Proto": {"https"}}},
			{XForwardedFor, http.Header{"X-Forwarded-For": {xff}}, http.Header{"Forwarded": {fwd}}},
		} {
			got, err := nets.forwardedBy(tc.header, tc.family)
			for name, values := range tc.other {
				tc.header[name] = values
			}
			withOther, otherErr := nets.forwardedBy(tc.header, tc.family)
			if withOther != got || (err == nil) != (otherErr == nil) {
				t.Fatalf("%v: the other family changed %v (%v) into %v (%v)", tc.header, got, err, withOther, otherErr)
			}
			if err != nil || got.client == "" {
				continue
			}
			if _, err := netip.ParseAddr(got.client); err != nil {
				if _, err := netip.ParseAddrPort(got.client); err != nil {
					t.Fatalf("%v gave client %q, not an address", tc.header, got.client)
				}
			}
		}
	})
}
