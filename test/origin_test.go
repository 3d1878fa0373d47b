//go:build !windows

package test

import (
	"net"
	"strconv"
	"testing"
)

// --origin and --sameorigin: which Origin an upgrade may come from.

func TestOriginAllowAndDeny(t *testing.T) {
	s := startServer(t, "--origin=example.com,https://app.example.com:8443",
		"--origin=plain.example:8080", "sh", "-c", "echo hi")
	cases := map[string]int{
		"":                             101,
		"null":                         403,
		"http://example.com":           101,
		"https://example.com:9999":     101,
		"http://evil.example":          403,
		"http://example.com.evil":      403,
		"https://app.example.com:8443": 101,
		"http://app.example.com:8443":  403,
		"https://app.example.com":      403,
		"http://plain.example:8080":    101,
		"https://plain.example:8080":   101,
		"http://plain.example":         403,
		"http://example.com/path":      403,
	}
	allowed := 0
	for origin, want := range cases {
		if got := s.upgradeStatus("/", origin, ""); got != want {
			t.Errorf("Origin %q: status %d, want %d", origin, got, want)
		}
		if want == 101 {
			allowed++
		}
	}
	// Every refusal came before a process: one session per 101, no more.
	waitFor(t, readTimeout, "the sessions to end", func() bool {
		return len(s.out.lines("| DISCONNECT")) == allowed
	})
	if started := len(s.out.lines("| CONNECT")); started != allowed {
		t.Errorf("%d processes started for %d allowed requests", started, allowed)
	}
}

func TestSameOriginWithAndWithoutPort(t *testing.T) {
	s := startServer(t, "--sameorigin", "--allowhost=example.com", "sh", "-c", "echo hi")
	_, port, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(port)
	otherPort := strconv.Itoa(n%60000 + 1)
	cases := []struct {
		host, origin string
		want         int
	}{
		{"", "http://" + s.addr, 101},
		{"", "http://127.0.0.1", 403},
		{"", "http://localhost:" + port, 403},
		{"", "http://127.0.0.1:" + otherPort, 403},
		{"", "null", 403},
		{"", "", 101},
		{"example.com", "http://example.com", 101},
		{"example.com", "http://example.com:80", 101},
		{"example.com", "https://example.com", 403},
		{"example.com", "http://example.com:" + port, 403},
		{"example.com:" + port, "http://example.com:" + port, 101},
	}
	for _, tc := range cases {
		if got := s.upgradeStatus("/", tc.origin, tc.host); got != tc.want {
			t.Errorf("Host %q, Origin %q: status %d, want %d", tc.host, tc.origin, got, tc.want)
		}
	}
}
