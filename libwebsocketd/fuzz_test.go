package libwebsocketd

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Fuzz targets for everything that parses what a client sends: the URL
// path that picks a script, the headers that become the environment, and
// the Origin header. `make fuzz` runs each for a few seconds; plain
// `go test` runs their seed corpora in testdata/fuzz.

// fuzzScriptTree builds a --dir with scripts, a directory, a file that is not
// executable and symlinks leading inside and outside it. It returns the
// directory and the real path of the outside one.
func fuzzScriptTree(t testing.TB) (root, outside string) {
	base := t.TempDir()
	root, outside = filepath.Join(base, "scripts"), filepath.Join(base, "outside")
	for _, dir := range []string{root, filepath.Join(root, "sub"), outside} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]os.FileMode{"echo.sh": 0o755, "noexec.sh": 0o644, "sub/deep.sh": 0o755}
	for name, mode := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.sh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"link-in":      "echo.sh",
		"link-out":     filepath.Join(outside, "secret.sh"),
		"linkdir-out":  outside,
		"sub/relative": "../../outside/secret.sh",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	realOutside, err := filepath.EvalSymlinks(outside)
	if err != nil {
		t.Fatal(err)
	}
	return root, realOutside
}

// FuzzResolveScript: whatever the path, a script found is an executable
// regular file inside the directory, symlinks resolved.
func FuzzResolveScript(f *testing.F) {
	root, outside := fuzzScriptTree(f)
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path string) {
		s, err := resolveScript(root, path)
		if err != nil {
			return
		}
		if !within(realRoot, s.path) || strings.HasPrefix(s.path, outside) {
			t.Fatalf("%q resolved to %q, outside %q", path, s.path, realRoot)
		}
		info, err := os.Stat(s.path)
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
			t.Fatalf("%q resolved to %q, not an executable file (%v)", path, s.path, err)
		}
		if !strings.HasPrefix(s.name, "/") || (s.pathInfo != "" && !strings.HasPrefix(s.pathInfo, "/")) {
			t.Fatalf("%q gave SCRIPT_NAME %q and PATH_INFO %q", path, s.name, s.pathInfo)
		}
	})
}

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
