//go:build !windows

package test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Helpers of the HTTP-surface tests (scriptdir, static, cgi, devconsole,
// origin, routing, header_flags...): plain and hand-written requests, the
// access line of a request, and trees of files to serve.

// reply is one plain HTTP response, read whole.
type reply struct {
	status int
	header http.Header
	body   string
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{
	Timeout:       readTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// fetch makes one plain HTTP request to the server.
func (s *server) fetch(method, path string, header http.Header, body string) reply {
	s.t.Helper()
	req, err := http.NewRequest(method, "http://"+s.addr+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return reply{resp.StatusCode, resp.Header, string(data)}
}

// rawRequest sends head exactly as written (so no client library cleans
// or re-encodes the target) and reads one response.
func (s *server) rawRequest(head string) reply {
	s.t.Helper()
	conn, err := net.DialTimeout("tcp", s.addr, readTimeout)
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(readTimeout))
	if _, err := io.WriteString(conn, head); err != nil {
		s.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		s.t.Fatalf("reading the response to %q: %v", head, err)
	}
	defer resp.Body.Close()
	var data []byte
	if resp.StatusCode != http.StatusSwitchingProtocols {
		data, _ = io.ReadAll(resp.Body)
	}
	return reply{resp.StatusCode, resp.Header, string(data)}
}

// rawUpgrade is a complete WebSocket upgrade request for target, with
// extra header lines ("Name: value\r\n") added.
func (s *server) rawUpgrade(target, extra string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: " + s.addr + "\r\n" +
		"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + extra + "\r\n"
}

// accessLine waits for the access line of target and returns it.
func (s *server) accessLine(target string) string {
	s.t.Helper()
	var line string
	waitFor(s.t, readTimeout, "the access line of "+target, func() bool {
		for _, l := range s.out.lines("| ACCESS | http | url:'http://" + s.addr + target + "'") {
			if !strings.Contains(l, "refused:") {
				line = l
				return true
			}
		}
		return false
	})
	return line
}

// writeFiles creates files under dir: a key is a slash path, a value
// starting with "-> " makes a symlink to the rest, other values are the
// content. Names ending in .sh or .cgi are made executable.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "-> "); ok {
			err = os.Symlink(target, path)
		} else {
			mode := os.FileMode(0o644)
			if strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, ".cgi") {
				mode = 0o755
			}
			err = os.WriteFile(path, []byte(content), mode)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// tempBase is a fresh temporary directory with its symlinks resolved, so
// that paths the server reports compare equal.
func tempBase(t *testing.T) string {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// traversals are request targets that must never run anything: each tries
// to leave the directory, or names a dot file, a directory or nothing.
var traversals = []string{
	"/../outside/evil.sh", "/sub/../../outside/evil.sh",
	"/%2e%2e/outside/evil.sh", "/%2E%2E/outside/evil.sh", "/.%2e/outside/evil.sh",
	"/..%2Foutside%2Fevil.sh", "/..%2foutside/evil.sh", "/%2e%2e%2foutside%2fevil.sh",
	"/sub%2Ftool.sh", "/sub%2ftool.sh",
	"/..\\outside\\evil.sh", "/sub\\tool.sh", "/..%5Coutside%5Cevil.sh",
	"/.hidden.sh", "/%2ehidden.sh", "/./chat.sh", "//chat.sh", "//outside/evil.sh", "/sub//tool.sh",
	"/chat.sh%00", "/chat.sh%00.txt", "/%00/../outside/evil.sh",
	"/outlink.sh", "/outdir/evil.sh", "/outdir",
	"/missing.sh", "/", "/sub", "/sub/", "/chat.sh/",
}

// upgradeStatus tries a WebSocket upgrade with the given Origin ("" for
// none) and Host (s.addr when "") and returns the status.
func (s *server) upgradeStatus(path, origin, host string) int {
	s.t.Helper()
	extra := ""
	if origin != "" {
		extra = "Origin: " + origin + "\r\n"
	}
	head := s.rawUpgrade(path, extra)
	if host != "" {
		head = strings.Replace(head, "Host: "+s.addr, "Host: "+host, 1)
	}
	return s.rawRequest(head).status
}
