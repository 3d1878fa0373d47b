//go:build !windows

package test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// This file tests what a hostile client can do to a --cgidir script: what
// reaches its environment.

// hdrCGI echoes its PATH_INFO and SCRIPT_NAME into response headers, as a
// careless script would; a line break in either would add a header.
const hdrCGI = `#!/bin/sh
printf 'Content-Type: text/plain\r\nX-Path: %s\r\nX-Script: %s\r\n\r\nok\n' "$PATH_INFO" "$SCRIPT_NAME"
`

func TestCGIPathCannotInjectHeaders(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{"cgi/hdr.cgi": hdrCGI})
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	cases := map[string]string{
		"/hdr.cgi/x%0d%0aSet-Cookie:%20session=attacker": "/x  Set-Cookie: session=attacker",
		"/hdr.cgi/x%0aSet-Cookie:%20session=attacker":    "/x Set-Cookie: session=attacker",
		"/hdr.cgi/a%1bb%7fc":                             "/a b c",
		"/hdr.cgi/tab%09kept":                            "/tab\tkept",
	}
	for target, wantPath := range cases {
		got := s.rawRequest("GET " + target + " HTTP/1.1\r\nHost: " + s.addr + "\r\n\r\n")
		if got.status != http.StatusOK {
			t.Errorf("GET %s: %d %q, want 200", target, got.status, got.body)
			continue
		}
		if cookie := got.header.Values("Set-Cookie"); len(cookie) > 0 {
			t.Errorf("GET %s: the path added Set-Cookie %q", target, cookie)
		}
		if path := got.header.Get("X-Path"); path != wantPath {
			t.Errorf("GET %s: PATH_INFO %q, want %q", target, path, wantPath)
		}
		if script := got.header.Get("X-Script"); script != "/hdr.cgi" {
			t.Errorf("GET %s: SCRIPT_NAME %q", target, script)
		}
	}
}

// cgiEnvDump answers with the script's whole environment, one NAME=value
// line each.
const cgiEnvDump = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nenv\n"

// TestCGIEnvironmentHoldsNoControlCharacter: whatever the URL decodes to,
// every line of the environment is a variable of its own.
func TestCGIEnvironmentHoldsNoControlCharacter(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{"cgi/env.cgi": cgiEnvDump})
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	got := s.rawRequest("GET /env.cgi/p%0dINJECTED_CR=1%0aINJECTED_LF=1%1b HTTP/1.1\r\nHost: " + s.addr + "\r\n\r\n")
	if got.status != http.StatusOK {
		t.Fatalf("status %d %q", got.status, got.body)
	}
	for _, line := range strings.Split(strings.TrimSuffix(got.body, "\n"), "\n") {
		if strings.HasPrefix(line, "INJECTED") {
			t.Errorf("the path made a line of its own: %q", line)
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			t.Errorf("control character in %q", line)
		}
	}
	if !strings.Contains(got.body, "\nPATH_INFO=/p INJECTED_CR=1 INJECTED_LF=1 \n") {
		t.Errorf("PATH_INFO not as sanitised:\n%s", got.body)
	}
}
