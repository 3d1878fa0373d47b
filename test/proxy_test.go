//go:build !windows

package test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// reportsClient is a child that says who its client is.
const reportsClient = "echo \"$REMOTE_ADDR|$REMOTE_PORT|$HTTPS\"\nexec cat\n"

// childSays dials with header and returns the child's first line.
func childSays(t *testing.T, s *server, header http.Header) string {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(s.url("/"), header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial with %v: %v (status %d)\n%s", header, err, status, s.out)
	}
	defer c.Close()
	_, line := receive(t, c)
	return line
}

func TestTrustProxyNamesTheClient(t *testing.T) {
	s := startServer(t, "--trustproxy=127.0.0.1/32,10.0.0.0/8", "--loglevel=debug",
		script(t, "client.sh", reportsClient))
	cases := []struct {
		header http.Header
		want   string
	}{
		{http.Header{"X-Forwarded-For": {"[2001:db8::17]:4711"}, "X-Forwarded-Proto": {"https"}}, "2001:db8::17|4711|on"},
		{http.Header{"X-Forwarded-For": {"198.51.100.7, 10.1.1.1"}, "X-Forwarded-Proto": {"http"}}, "198.51.100.7||"},
		{http.Header{"X-Forwarded-For": {"198.51.100.7"}, "X-Forwarded-Proto": {"https"}}, "198.51.100.7||on"},
	}
	for _, tc := range cases {
		if got := childSays(t, s, tc.header); got != tc.want {
			t.Errorf("%v: child saw %q, want %q", tc.header, got, tc.want)
		}
	}
	if access := s.awaitLines("remote:'198.51.100.7'", 1); len(access) == 0 {
		t.Errorf("no log line with the forwarded client as remote:\n%s", s.out)
	}
	// A header that does not parse is not believed, and says so at debug.
	got := childSays(t, s, http.Header{"X-Forwarded-For": {"192.0.2.1, not-an-address"}})
	if !strings.HasPrefix(got, "127.0.0.1|") || len(s.awaitLines("forwarding headers ignored", 1)) == 0 {
		t.Errorf("malformed X-Forwarded-For: child saw %q; log:\n%s", got, s.out)
	}
}

// A trusted proxy writes one family of forwarding headers and passes the
// other on from the client (nginx passes Forwarded through): only the
// family the operator names is believed, whatever the client adds.
func TestTrustProxyHeaderChoosesOneFamily(t *testing.T) {
	both := http.Header{"Forwarded": {`for="[2001:db8::17]:4711";proto=https`},
		"X-Forwarded-For": {"198.51.100.7"}, "X-Forwarded-Proto": {"http"}}
	cases := []struct {
		flags []string
		want  string
	}{
		{nil, "198.51.100.7||"}, // the default: X-Forwarded-For
		{[]string{"--trustproxyheader=x-forwarded-for"}, "198.51.100.7||"},
		{[]string{"--trustproxyheader=forwarded"}, "2001:db8::17|4711|on"},
	}
	for _, tc := range cases {
		args := append([]string{"--trustproxy=127.0.0.1"}, tc.flags...)
		s := startServer(t, append(args, script(t, "client.sh", reportsClient))...)
		if got := childSays(t, s, both); got != tc.want {
			t.Errorf("%q with both headers: child saw %q, want %q", tc.flags, got, tc.want)
		}
	}
}

// Without --trustproxy, or from a peer outside it, the headers change
// nothing: anybody can send them.
func TestForwardingHeadersIgnoredUntrusted(t *testing.T) {
	spoof := http.Header{"X-Forwarded-For": {"198.51.100.7"}, "Forwarded": {"for=192.0.2.9;proto=https"},
		"X-Forwarded-Proto": {"https"}}
	for _, args := range [][]string{{}, {"--trustproxy=10.0.0.0/8"}} {
		s := startServer(t, append(args, script(t, "client.sh", reportsClient))...)
		if got := childSays(t, s, spoof); !strings.HasPrefix(got, "127.0.0.1|") || strings.HasSuffix(got, "on") {
			t.Errorf("%q: child saw %q, want the peer 127.0.0.1 without HTTPS", args, got)
		}
	}
}

// --sameorigin compares the Origin with X-Forwarded-Host only when a
// trusted proxy sent it.
func TestSameOriginWithForwardedHost(t *testing.T) {
	behindProxy := http.Header{"Origin": {"https://public.example"}, "X-Forwarded-Host": {"public.example"},
		"X-Forwarded-Proto": {"https"}}
	trusted := startServer(t, "--sameorigin", "--trustproxy=127.0.0.1", "--allowhost=public.example", "cat")
	if got := trusted.dialStatus("/", behindProxy); got != http.StatusSwitchingProtocols {
		t.Errorf("trusted proxy's X-Forwarded-Host: status %d, want 101", got)
	}
	if got := trusted.dialStatus("/", http.Header{"Origin": {"https://public.example"}}); got != http.StatusForbidden {
		t.Errorf("no X-Forwarded-Host: status %d, want 403", got)
	}
	untrusted := startServer(t, "--sameorigin", "cat")
	if got := untrusted.dialStatus("/", behindProxy); got != http.StatusForbidden {
		t.Errorf("untrusted X-Forwarded-Host: status %d, want 403", got)
	}
}
