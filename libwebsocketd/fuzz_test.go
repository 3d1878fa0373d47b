package libwebsocketd

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Fuzz targets for everything that parses what a client sends: the URL
// path that picks a script, the headers that become the environment, and
// the Origin header. `make fuzz` runs each for a few seconds; plain
// `go test` runs their seed corpora in testdata/fuzz.

// portableName is what a child's environment may hold as a variable name.
var portableName = regexp.MustCompile(`^[A-Z0-9_]+$`)

// FuzzBuildEnv: whatever the client sends as a header name, header value,
// host or request URI, every environment entry is NAME=value with a
// portable name and no line break or NUL anywhere.
func FuzzBuildEnv(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, value, host, uri string) {
		if envName, ok := headerEnvName(name); ok &&
			(!portableName.MatchString(envName) || !strings.HasPrefix(envName, "HTTP_")) {
			t.Fatalf("header %q became variable %q", name, envName)
		}
		r := &http.Request{Method: "GET", Proto: "HTTP/1.1", Host: host, RequestURI: uri,
			RemoteAddr: "127.0.0.1:40000", URL: &url.URL{Path: "/", RawQuery: uri},
			Header: http.Header{name: {value, value}}}
		info := requestEnv{ScriptName: uri, PathInfo: value, ID: "ID", Version: "test"}
		for _, entry := range buildEnv(r, info, []string{"PATH"}, []string{"PATH=/bin"}) {
			envName, _, ok := strings.Cut(entry, "=")
			if !ok || !portableName.MatchString(envName) {
				t.Fatalf("entry %q has no portable name", entry)
			}
			if strings.ContainsAny(entry, "\r\n\x00") {
				t.Fatalf("entry %q holds a line break or NUL", entry)
			}
		}
	})
}

// FuzzOrigin: neither the Origin header nor an --origin entry can make
// the check panic; null is never allowed; an entry never allows an Origin
// whose host differs from its own.
func FuzzOrigin(f *testing.F) {
	f.Fuzz(func(t *testing.T, entry, origin string) {
		rule, ruleErr := ParseOriginRule(entry)
		scheme, host, port, originErr := parseOrigin(origin)
		if ruleErr == nil && originErr == nil && rule.allows(scheme, host, port) {
			u, err := url.Parse(origin)
			if err != nil || !strings.EqualFold(u.Hostname(), rule.host) {
				t.Fatalf("entry %q allows origin %q of another host", entry, origin)
			}
		}
		h := &Handler{cfg: Config{Origins: []string{entry}, SameOrigin: true}}
		r := &http.Request{Host: "example.com", Header: http.Header{"Origin": {origin}}}
		err := h.checkOrigin(r)
		if err == nil && origin != "" && ruleErr != nil && !sameHost(r, host, port) {
			t.Fatalf("origin %q allowed by a bad entry %q", origin, entry)
		}
		if strings.EqualFold(strings.TrimSpace(origin), "null") && err == nil {
			t.Fatalf("origin %q allowed (entry %q)", origin, entry)
		}
	})
}
