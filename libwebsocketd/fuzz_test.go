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
// portable name and no control character but TAB anywhere.
func FuzzBuildEnv(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, value, host, uri string) {
		if envName, ok := headerEnvName(name); ok &&
			(!portableName.MatchString(envName) || !strings.HasPrefix(envName, "HTTP_") ||
				strings.Contains(name, "_")) {
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
			if hasUnsafeByte(entry) {
				t.Fatalf("entry %q holds a control character", entry)
			}
		}
	})
}

func hasUnsafeByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if isUnsafeByte(s[i]) {
			return true
		}
	}
	return false
}

// FuzzCGIRequest: whatever the client's path, header and host, the copy
// the CGI host makes its variables from holds no control character but
// TAB, keeps only headers a variable can be named for, and still starts
// with the script's name when the path did.
func FuzzCGIRequest(f *testing.F) {
	f.Add("/hdr.cgi", "/x\r\nSet-Cookie: a=b", "X-Evil", "v", "example.com")
	f.Add("/a\x1bb.cgi", "\x00\x7f\t", "X_Forwarded_For", "1.2.3.4", "h:1")
	f.Fuzz(func(t *testing.T, scriptName, pathInfo, name, value, host string) {
		r := &http.Request{Method: "GET", Host: host, RemoteAddr: host,
			URL: &url.URL{Path: scriptName + pathInfo, RawQuery: value}, Header: http.Header{name: {value}}}
		c := cgiRequest(r)
		for _, v := range []string{c.URL.Path, c.URL.RawQuery, c.Host, c.RemoteAddr} {
			if hasUnsafeByte(v) {
				t.Fatalf("%q reaches the CGI host", v)
			}
		}
		for kept, values := range c.Header {
			if _, ok := headerEnvName(kept); !ok || hasUnsafeByte(values[0]) {
				t.Fatalf("header %q: %q reaches the CGI host", kept, values)
			}
		}
		if !strings.HasPrefix(c.URL.Path, safeValue(scriptName)) {
			t.Fatalf("path %q lost its script name %q", c.URL.Path, scriptName)
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
