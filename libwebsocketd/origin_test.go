package libwebsocketd

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestParseOriginRule(t *testing.T) {
	valid := map[string]originRule{
		"example.com":                 {host: "example.com"},
		"Example.COM":                 {host: "example.com"},
		" example.com ":               {host: "example.com"},
		"example.com:8080":            {host: "example.com", port: "8080"},
		"http://example.com":          {scheme: "http", host: "example.com"},
		"HTTPS://example.com:8443":    {scheme: "https", host: "example.com", port: "8443"},
		"[::1]:8080":                  {host: "::1", port: "8080"},
		"::1":                         {host: "::1"},
		"https://[2001:db8::1]:443":   {scheme: "https", host: "2001:db8::1", port: "443"},
		"http://localhost":            {scheme: "http", host: "localhost"},
		"app.example.com:1":           {host: "app.example.com", port: "1"},
		"https://app.example.com:443": {scheme: "https", host: "app.example.com", port: "443"},
	}
	for entry, want := range valid {
		got, err := ParseOriginRule(entry)
		if err != nil || got != want {
			t.Errorf("ParseOriginRule(%q) = %+v, %v; want %+v", entry, got, err, want)
		}
	}
	for _, entry := range []string{
		"", "ftp://example.com", "ws://example.com", "https://", "http://example.com/",
		"http://example.com/path", "user@example.com", "example.com?x", "exa mple.com",
		"example.com:http", "example.com:99999", "example.com:", "null",
	} {
		if rule, err := ParseOriginRule(entry); err == nil {
			t.Errorf("ParseOriginRule(%q) = %+v, want an error", entry, rule)
		}
	}
}

func TestOriginListMatrix(t *testing.T) {
	h := &Handler{cfg: Config{Origins: []string{
		"example.com", "https://app.example.com:8443", "plain.example:8080", "http://insecure.example",
	}}}
	cases := map[string]bool{
		"":                              true, // not a browser: let through
		"null":                          false,
		"http://example.com":            true,
		"https://example.com":           true, // no scheme: http and https
		"http://example.com:9999":       true, // no port: any port
		"HTTP://EXAMPLE.COM":            true,
		"http://evil.com":               false,
		"http://example.com.evil.com":   false,
		"http://sub.example.com":        false,
		"https://app.example.com:8443":  true,
		"http://app.example.com:8443":   false, // wrong scheme
		"https://app.example.com":       false, // port 443, not 8443
		"https://app.example.com:8444":  false,
		"http://plain.example:8080":     true,
		"https://plain.example:8080":    true,
		"http://plain.example":          false, // port 80
		"http://insecure.example":       true,
		"http://insecure.example:81":    true,
		"https://insecure.example":      false,
		"ws://example.com":              false,
		"example.com":                   false, // not an origin at all
		"http://example.com/path":       false,
		"http://user@example.com":       false,
		"http://example.com?query":      false,
		"http://example.com#fragment":   false,
		"http://%65xample.com":          false,
		"http://example.com:8080:8080":  false,
		"https://app.example.com:08443": false,
	}
	for origin, want := range cases {
		r := httptest.NewRequest("GET", "http://server.example:8000/", nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if err := h.checkOrigin(r); (err == nil) != want {
			t.Errorf("Origin %q: allowed=%v, want %v (%v)", origin, err == nil, want, err)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	h := &Handler{cfg: Config{SameOrigin: true}}
	cases := []struct {
		host, origin string
		tls          bool
		want         bool
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080", false, true},
		{"127.0.0.1:8080", "https://127.0.0.1:8080", false, true}, // host:port is what counts
		{"127.0.0.1:8080", "http://127.0.0.1:8081", false, false},
		{"127.0.0.1:8080", "http://localhost:8080", false, false},
		{"127.0.0.1:8080", "http://127.0.0.1", false, false},
		{"example.com", "http://example.com", false, true}, // both on port 80
		{"example.com", "http://example.com:80", false, true},
		{"example.com:80", "http://example.com", false, true},
		{"Example.com", "http://example.COM", false, true},
		{"example.com", "https://example.com", false, false}, // 443 is not 80
		{"example.com", "http://example.com:8080", false, false},
		{"example.com", "https://example.com", true, true}, // over TLS the default is 443
		{"example.com", "http://example.com", true, false},
		{"[::1]:8080", "http://[::1]:8080", false, true},
		{"[::1]:8080", "http://[::2]:8080", false, false},
		{"example.com", "null", false, false},
		{"example.com", "", false, true},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = tc.host
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if err := h.checkOrigin(r); (err == nil) != tc.want {
			t.Errorf("Host %q, Origin %q, TLS %v: allowed=%v, want %v (%v)",
				tc.host, tc.origin, tc.tls, err == nil, tc.want, err)
		}
	}
}

// Either rule may admit a request when both are given.
func TestSameOriginAndListTogether(t *testing.T) {
	h := &Handler{cfg: Config{SameOrigin: true, Origins: []string{"https://app.example.com"}}}
	for origin, want := range map[string]bool{
		"http://server.example:8000":  true,
		"https://app.example.com":     true,
		"https://other.example.com":   false,
		"http://server.example:8001":  false,
		"https://app.example.com:444": true,
	} {
		r := httptest.NewRequest("GET", "http://server.example:8000/", nil)
		r.Header.Set("Origin", origin)
		if err := h.checkOrigin(r); (err == nil) != want {
			t.Errorf("Origin %q: allowed=%v, want %v (%v)", origin, err == nil, want, err)
		}
	}
}

// Without --origin and --sameorigin any Origin is let through, even null.
func TestNoOriginRuleAllowsAll(t *testing.T) {
	h := &Handler{cfg: Config{}}
	for _, origin := range []string{"null", "http://evil.com", "garbage"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Origin", origin)
		if err := h.checkOrigin(r); err != nil {
			t.Errorf("Origin %q refused without any rule: %v", origin, err)
		}
	}
}
