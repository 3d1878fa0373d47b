//go:build !windows

package test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file tests --cgidir: a script's request and response, its
// confinement to its directory, what a hostile client can do to it (what
// reaches its environment and its response headers), and its limits.

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
	// Even a script whose own name holds a line break: the operator's
	// file, but the request names it.
	writeFiles(t, base, map[string]string{"cgi/env.cgi": cgiEnvDump, "cgi/odd\nINJECTED_NAME=1.cgi": cgiEnvDump})
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	for target, want := range map[string]string{
		"/env.cgi/p%0dINJECTED_CR=1%0aINJECTED_LF=1%1b": "\nPATH_INFO=/p INJECTED_CR=1 INJECTED_LF=1 \n",
		"/odd%0aINJECTED_NAME=1.cgi":                    "\nSCRIPT_NAME=/odd INJECTED_NAME=1.cgi\n",
	} {
		got := s.rawRequest("GET " + target + " HTTP/1.1\r\nHost: " + s.addr + "\r\n\r\n")
		if got.status != http.StatusOK {
			t.Fatalf("GET %s: status %d %q", target, got.status, got.body)
		}
		for _, line := range strings.Split(strings.TrimSuffix(got.body, "\n"), "\n") {
			if strings.HasPrefix(line, "INJECTED") {
				t.Errorf("GET %s made a line of its own: %q", target, line)
			}
			if strings.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
				t.Errorf("GET %s: control character in %q", target, line)
			}
		}
		if !strings.Contains(got.body, want) {
			t.Errorf("GET %s: no %q in\n%s", target, want, got.body)
		}
	}
}

// holdCGI records its pid, then reads its whole body before it answers:
// a client that sends part of the body holds it.
func holdCGI(pids string) string {
	return "#!/bin/sh\necho $$ >> " + pids + "\ncat > /dev/null\nprintf 'Content-Type: text/plain\\r\\n\\r\\ndone\\n'\n"
}

// scriptPIDs are the pids holdCGI has recorded so far.
func scriptPIDs(t *testing.T, pids string) []int {
	t.Helper()
	data, err := os.ReadFile(pids)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var found []int
	for _, field := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(field)
		if err != nil {
			t.Fatalf("pid file %q", data)
		}
		found = append(found, pid)
	}
	return found
}

// startPost sends the head of a POST announcing length bytes and the
// first part of its body, and leaves the connection open.
func (s *server) startPost(target string, length int, part string) net.Conn {
	s.t.Helper()
	conn, err := net.DialTimeout("tcp", s.addr, readTimeout)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(readTimeout))
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", target, s.addr, length, part)
	if _, err := io.WriteString(conn, head); err != nil {
		s.t.Fatal(err)
	}
	return conn
}

// A CGI script takes a --maxforks slot as a WebSocket process does: with
// the one slot held by a script, the next script and the next WebSocket
// connection get 429 until it ends.
func TestCGICountsAgainstMaxForks(t *testing.T) {
	base := tempBase(t)
	pids := filepath.Join(base, "pids")
	writeFiles(t, base, map[string]string{"cgi/hold.cgi": holdCGI(pids)})
	s := startServer(t, "--maxforks=1", "--cgidir="+filepath.Join(base, "cgi"), "cat")
	holder := s.startPost("/hold.cgi", 10, "abc")
	waitFor(t, readTimeout, "the script to start", func() bool { return len(scriptPIDs(t, pids)) == 1 })
	if got := s.fetch("GET", "/hold.cgi", nil, ""); got.status != http.StatusTooManyRequests {
		t.Errorf("a second script: %d %q, want 429", got.status, got.body)
	}
	if status := s.dialStatus("/", nil); status != http.StatusTooManyRequests {
		t.Errorf("a WebSocket beside the script: %d, want 429", status)
	}
	if _, err := io.WriteString(holder, "defghij"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(holder), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the script holding the slot: %v %v", resp, err)
	}
	waitFor(t, readTimeout, "the slot to be free again", func() bool {
		return s.fetch("GET", "/hold.cgi", nil, "").status == http.StatusOK
	})
	if len(scriptPIDs(t, pids)) != 2 {
		t.Errorf("scripts run: %v, want the holder and the last one", scriptPIDs(t, pids))
	}
}

// The case: a POST that announces 999,999 bytes and sends three
// held its script (and its slot) for as long as the client stayed.
func TestCGIStalledBodyGets408AndEndsTheScript(t *testing.T) {
	base := tempBase(t)
	pids := filepath.Join(base, "pids")
	writeFiles(t, base, map[string]string{"cgi/hold.cgi": holdCGI(pids)})
	s := startServer(t, "--maxforks=1", "--cgibodyms=300", "--cgidir="+filepath.Join(base, "cgi"))
	stalled := s.startPost("/hold.cgi", 999999, "abc")
	resp, err := http.ReadResponse(bufio.NewReader(stalled), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d, want 408", resp.StatusCode)
	}
	started := scriptPIDs(t, pids)
	if len(started) != 1 {
		t.Fatalf("scripts started: %v", started)
	}
	waitFor(t, readTimeout, "the stalled script to end", func() bool { return !alive(started[0]) })
	waitFor(t, readTimeout, "the slot to be free again", func() bool {
		return s.fetch("GET", "/hold.cgi", nil, "").status == http.StatusOK
	})
	if lines := s.awaitLines("POST 408 Request Timeout", 1); len(lines) != 1 || !strings.Contains(lines[0], "/hold.cgi") {
		t.Errorf("access lines %q, want one POST 408 of /hold.cgi", lines)
	}
}

// cgiEnv is a CGI script that reports its request and echoes its body.
const cgiEnv = `#!/bin/sh
printf 'Content-Type: text/plain\r\nX-Script: env\r\n\r\n'
echo "method=$REQUEST_METHOD"
echo "query=$QUERY_STRING"
echo "path_info=$PATH_INFO"
echo "script_name=$SCRIPT_NAME"
echo "length=$CONTENT_LENGTH"
echo "type=$CONTENT_TYPE"
echo "body=$(cat)"
`

func TestCGIGetAndPost(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{"cgi/env.cgi": cgiEnv, "cgi/sub/deep.cgi": cgiEnv})
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	get := s.fetch("GET", "/env.cgi/extra/path?a=1&b=two", nil, "")
	wantGet := "method=GET\nquery=a=1&b=two\npath_info=/extra/path\nscript_name=/env.cgi\nlength=\ntype=\nbody=\n"
	if get.status != 200 || get.body != wantGet || get.header.Get("X-Script") != "env" {
		t.Errorf("GET: %d %v\n%s\nwant:\n%s", get.status, get.header, get.body, wantGet)
	}
	post := s.fetch("POST", "/sub/deep.cgi?x", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "name=value&more=1")
	wantPost := "method=POST\nquery=x\npath_info=\nscript_name=/sub/deep.cgi\nlength=17\n" +
		"type=application/x-www-form-urlencoded\nbody=name=value&more=1\n"
	if post.status != 200 || post.body != wantPost {
		t.Errorf("POST: %d\n%s\nwant:\n%s", post.status, post.body, wantPost)
	}
	if line := s.accessLine("/sub/deep.cgi?x"); !strings.Contains(line, "POST 200 OK") {
		t.Errorf("access line %q", line)
	}
}

func TestCGIConfinedToItsDirectory(t *testing.T) {
	base := tempBase(t)
	marker := filepath.Join(base, "ran")
	runs := "#!/bin/sh\necho \"$0\" >> " + marker + "\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n"
	writeFiles(t, base, map[string]string{
		"outside/evil.sh":    runs,
		"cgi/chat.sh":        runs,
		"cgi/sub/tool.sh":    runs,
		"cgi/.hidden.sh":     runs,
		"cgi/outlink.sh":     "-> ../outside/evil.sh",
		"cgi/outdir":         "-> ../outside",
		"cgi/notexec.sh.txt": runs,
	})
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	for _, target := range traversals {
		got := s.rawRequest("GET " + target + " HTTP/1.1\r\nHost: " + s.addr + "\r\n\r\n")
		if got.status != http.StatusNotFound || strings.Contains(got.body, "ran") {
			t.Errorf("GET %s: %d %q, want 404", target, got.status, got.body)
		}
	}
	if got := s.fetch("GET", "/notexec.sh.txt", nil, ""); got.status != http.StatusForbidden {
		t.Errorf("non-executable CGI script: %d, want 403", got.status)
	}
	if data, err := os.ReadFile(marker); err == nil {
		t.Errorf("a refused request ran a script: %s", data)
	}
	if got := s.fetch("GET", "/sub/tool.sh", nil, ""); got.status != 200 || got.body != "ran\n" {
		t.Errorf("the script inside: %d %q", got.status, got.body)
	}
}

// With the CGI directory inside the static one, no URL may serve a
// script's source as a file: not its own path, not a symlink to it or to
// its directory.
func TestCGIInsideStaticNeverServesSource(t *testing.T) {
	base := tempBase(t)
	source := "#!/bin/sh\n# SECRET-SOURCE\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n"
	writeFiles(t, base, map[string]string{
		"public/index.html":         "home",
		"public/cgi-bin/script.cgi": source,
		"public/cgi-bin/notes.txt":  "SECRET-SOURCE notes",
		"public/alias":              "-> cgi-bin",
		"public/leak.txt":           "-> cgi-bin/script.cgi",
	})
	public := filepath.Join(base, "public")
	s := startServer(t, "--staticdir="+public, "--cgidir="+filepath.Join(public, "cgi-bin"), "--staticlist")
	if got := s.fetch("GET", "/script.cgi", nil, ""); got.status != 200 || got.body != "ran\n" {
		t.Errorf("GET /script.cgi: %d %q, want the script's output", got.status, got.body)
	}
	for _, path := range []string{
		"/cgi-bin/script.cgi", "/cgi-bin/notes.txt", "/cgi-bin/", "/alias/script.cgi",
		"/alias/notes.txt", "/alias/", "/leak.txt", "/%63gi-bin/script.cgi",
	} {
		if got := s.fetch("GET", path, nil, ""); got.status != http.StatusNotFound || strings.Contains(got.body, "SECRET") {
			t.Errorf("GET %s: %d %q, want 404", path, got.status, got.body)
		}
	}
	if got := s.fetch("GET", "/", nil, ""); got.status != 200 || got.body != "home" {
		t.Errorf("GET /: %d %q", got.status, got.body)
	}
}

// A CGI script that answers no header is a 500, and the server says why.
func TestCGIBadResponseIsLogged(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{"cgi/bad.cgi": "#!/bin/sh\necho no header here\n"})
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	if got := s.fetch("GET", "/bad.cgi", nil, ""); got.status != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", got.status)
	}
	waitFor(t, readTimeout, "an error line of the CGI host", func() bool {
		return len(s.out.lines("| ERROR  | cgi | url:'http://"+s.addr+"/bad.cgi'")) > 0
	})
}
