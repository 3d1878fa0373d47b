//go:build !windows

package test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// This file tests the HTTP surface black-box: --dir script selection and
// its confinement, static files, CGI, the dev console's escaping, origins,
// the header flags, the order of refusals and the server's limits.

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

func TestDirRunsScriptWithPathInfo(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{
		"scripts/chat.sh":     "#!/bin/sh\necho \"$SCRIPT_NAME|$PATH_INFO|$QUERY_STRING|$(pwd -P)\"\n",
		"scripts/sub/tool.sh": "#!/bin/sh\necho \"$SCRIPT_NAME|$PATH_INFO|$QUERY_STRING|$(pwd -P)\"\n",
	})
	// A relative --dir, as people type it: the test runs in test/.
	cwd, _ := os.Getwd()
	rel, err := filepath.Rel(cwd, filepath.Join(base, "scripts"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--dir="+rel)
	expectText(t, s.dial("/chat.sh"), "/chat.sh|||"+base+"/scripts")
	expectText(t, s.dial("/sub/tool.sh/extra/path?x=1&y=%20"),
		"/sub/tool.sh|/extra/path|x=1&y=%20|"+base+"/scripts/sub")
}

// scriptsWithOutside lays out a --dir with ways out of it. Every script
// that a refused request could reach, inside or out, leaves a mark when
// it runs.
func scriptsWithOutside(t *testing.T) (dir, marker string) {
	base := tempBase(t)
	marker = filepath.Join(base, "ran")
	runs := "#!/bin/sh\necho \"$0\" >> " + marker + "\ncat\n"
	writeFiles(t, base, map[string]string{
		"outside/evil.sh":        runs,
		"scripts/chat.sh":        runs,
		"scripts/sub/tool.sh":    runs,
		"scripts/.hidden.sh":     runs,
		"scripts/notexec.sh.txt": runs,
		"scripts/outlink.sh":     "-> ../outside/evil.sh",
		"scripts/outdir":         "-> ../outside",
	})
	return filepath.Join(base, "scripts"), marker
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

func TestDirRefusesEveryWayOut(t *testing.T) {
	dir, marker := scriptsWithOutside(t)
	s := startServer(t, "--dir="+dir)
	for _, target := range traversals {
		if got := s.rawRequest(s.rawUpgrade(target, "")).status; got != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, got)
		}
		if line := s.accessLine(target); !strings.Contains(line, "GET 404 Not Found") {
			t.Errorf("%s: access line %q, want a 404", target, line)
		}
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		data, _ := os.ReadFile(marker)
		t.Errorf("a refused request ran a script: %s", data)
	}
	if n := len(s.out.lines("| CONNECT")); n != 0 || len(s.children()) != 0 {
		t.Errorf("%d sessions started, children %v; want none", n, s.children())
	}
	// The same server does run what it should, so the 404s meant something.
	c := s.dial("/sub/tool.sh")
	send(t, c, websocket.TextMessage, "still here")
	expectText(t, c, "still here")
}

func TestDirNotExecutableIs403WithReason(t *testing.T) {
	dir, marker := scriptsWithOutside(t)
	s := startServer(t, "--dir="+dir)
	if got := s.rawRequest(s.rawUpgrade("/notexec.sh.txt", "")).status; got != http.StatusForbidden {
		t.Fatalf("status %d, want 403", got)
	}
	waitFor(t, readTimeout, "a log line saying the script is not executable", func() bool {
		return len(s.out.lines("not executable")) > 0
	})
	if _, err := os.Stat(marker); err == nil {
		t.Error("the non-executable script ran")
	}
}

func TestConfigErrorsOfTheHTTPSurface(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		says string
	}{
		{[]string{"--dir=" + dir, "cat"}, "either COMMAND or --dir"},
		{[]string{"--devconsole", "--staticdir=" + dir, "cat"}, "--devconsole cannot be combined"},
		{[]string{"--devconsole", "--cgidir=" + dir, "cat"}, "--devconsole cannot be combined"},
		{[]string{"--header=NoColon", "cat"}, `--header "NoColon"`},
		{[]string{"--header-ws=: empty name", "cat"}, "--header-ws"},
		{[]string{"--header-http=Bad Name: v", "cat"}, "--header-http"},
		{[]string{"--origin=ftp://example.com", "cat"}, "--origin"},
	}
	for _, tc := range cases {
		s := startProcessOnly(t, append([]string{"--address=127.0.0.1", "--port=0"}, tc.args...)...)
		if code := s.wait(readTimeout); code != 1 {
			t.Errorf("%v: exit code %d, want 1\n%s", tc.args, code, s.out)
		}
		if !strings.Contains(s.out.String(), tc.says) {
			t.Errorf("%v: output %q does not say %q", tc.args, s.out, tc.says)
		}
	}
}

// publicTree lays out a --staticdir with dot files and ways out of it.
func publicTree(t *testing.T) string {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{
		"public/index.html":           "<h1>home</h1>",
		"public/style.css":            "h1 { color: red }",
		"public/digits.txt":           "0123456789",
		"public/.env":                 "SECRET=env",
		"public/.git/config":          "SECRET=git",
		"public/sub/a.txt":            "a",
		"public/sub/.secret.txt":      "SECRET=hidden",
		"public/withindex/index.html": "<p>inner</p>",
		"public/inlink.txt":           "-> digits.txt",
		"public/outlink.txt":          "-> ../secret.txt",
		"public/outdir":               "-> ..",
		"secret.txt":                  "SECRET=outside",
	})
	return filepath.Join(base, "public")
}

func TestStaticServesFiles(t *testing.T) {
	s := startServer(t, "--staticdir="+publicTree(t))
	home := s.fetch("GET", "/", nil, "")
	if home.status != 200 || home.body != "<h1>home</h1>" || !strings.HasPrefix(home.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %d %q %q", home.status, home.header.Get("Content-Type"), home.body)
	}
	if inner := s.fetch("GET", "/withindex/", nil, ""); inner.status != 200 || inner.body != "<p>inner</p>" {
		t.Errorf("GET /withindex/: %d %q", inner.status, inner.body)
	}
	if css := s.fetch("GET", "/style.css", nil, ""); css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /style.css: %d %q", css.status, css.header.Get("Content-Type"))
	}
	if link := s.fetch("GET", "/inlink.txt", nil, ""); link.status != 200 || link.body != "0123456789" {
		t.Errorf("a symlink inside the directory: %d %q", link.status, link.body)
	}
	part := s.fetch("GET", "/digits.txt", http.Header{"Range": {"bytes=2-4"}}, "")
	if part.status != http.StatusPartialContent || part.body != "234" || part.header.Get("Content-Range") != "bytes 2-4/10" {
		t.Errorf("Range: %d %q %q", part.status, part.header.Get("Content-Range"), part.body)
	}
	whole := s.fetch("GET", "/digits.txt", nil, "")
	modified := whole.header.Get("Last-Modified")
	if whole.status != 200 || modified == "" {
		t.Fatalf("GET /digits.txt: %d, Last-Modified %q", whole.status, modified)
	}
	if again := s.fetch("GET", "/digits.txt", http.Header{"If-Modified-Since": {modified}}, ""); again.status != http.StatusNotModified || again.body != "" {
		t.Errorf("If-Modified-Since: %d %q", again.status, again.body)
	}
	head := s.fetch("HEAD", "/digits.txt", nil, "")
	if head.status != 200 || head.body != "" || head.header.Get("Content-Length") != "10" {
		t.Errorf("HEAD: %d %q length %q", head.status, head.body, head.header.Get("Content-Length"))
	}
}

func TestStaticRefusesDotFilesLinksOutAndListings(t *testing.T) {
	s := startServer(t, "--staticdir="+publicTree(t))
	for _, path := range []string{
		"/.env", "/%2eenv", "/.git/config", "/.git/", "/.git", "/sub/.secret.txt",
		"/outlink.txt", "/outdir/secret.txt", "/outdir/", "/sub/", "/sub", "/missing",
	} {
		got := s.fetch("GET", path, nil, "")
		if got.status != http.StatusNotFound || strings.Contains(got.body, "SECRET") || strings.Contains(got.body, "a.txt") {
			t.Errorf("GET %s: %d %q, want a 404", path, got.status, got.body)
		}
		if line := s.accessLine(path); !strings.Contains(line, "GET 404 Not Found") {
			t.Errorf("GET %s: access line %q", path, line)
		}
	}
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		got := s.fetch(method, "/digits.txt", nil, "x")
		if got.status != http.StatusMethodNotAllowed || got.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q; want 405 with Allow: GET, HEAD", method, got.status, got.header.Get("Allow"))
		}
	}
}

func TestStaticListsOnlyWithStaticList(t *testing.T) {
	s := startServer(t, "--staticdir="+publicTree(t), "--staticlist")
	list := s.fetch("GET", "/sub/", nil, "")
	if list.status != 200 || !strings.Contains(list.body, "a.txt") || strings.Contains(list.body, ".secret") {
		t.Errorf("listing of /sub/: %d %q", list.status, list.body)
	}
	for _, path := range []string{"/.git/", "/outdir/", "/sub/.secret.txt"} {
		if got := s.fetch("GET", path, nil, ""); got.status != http.StatusNotFound {
			t.Errorf("GET %s with --staticlist: %d %q", path, got.status, got.body)
		}
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

// urlField is the console's URL input as it must look: one attribute value
// with no quote or angle bracket in it, closed where the markup closes it.
var urlField = regexp.MustCompile(`<input id="url" [^<>]*value="([^"'<>]*)">`)

func TestConsoleEscapesHostileURL(t *testing.T) {
	s := startServer(t, "--devconsole", "cat")
	for _, target := range []string{
		`/"><script>alert(1)</script>?q="><script>alert(2)</script>`,
		`/%22%3E%3Cscript%3Ealert(1)%3C/script%3E?q=%22%3E%3Cscript%3Ealert(2)%3C/script%3E`,
		`/'onmouseover='alert(1)'?q='><img%20src=x%20onerror=alert(3)>`,
	} {
		got := s.rawRequest("GET " + target + " HTTP/1.1\r\nHost: " + s.addr + "\r\n\r\n")
		if got.status != 200 {
			t.Errorf("GET %s: %d, want the console page", target, got.status)
			continue
		}
		for _, raw := range []string{"<script>alert", "<img", "'onmouseover"} {
			if strings.Contains(got.body, raw) {
				t.Errorf("GET %s: the page holds %q unescaped", target, raw)
			}
		}
		field := urlField.FindStringSubmatch(got.body)
		if field == nil || !strings.HasPrefix(field[1], "ws://"+s.addr+"/") || !strings.Contains(field[1], "alert") {
			t.Errorf("GET %s: the URL field is not the escaped socket URL: %v", target, field)
		}
	}
	post := s.fetch("POST", "/", nil, "x")
	if post.status != http.StatusMethodNotAllowed || post.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST to the console: %d, Allow %q", post.status, post.header.Get("Allow"))
	}
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

func TestHeaderFlagsScope(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{"scripts/echo.sh": "#!/bin/sh\ncat\n", "public/index.html": "home"})
	s := startServer(t, "--dir="+filepath.Join(base, "scripts"), "--staticdir="+filepath.Join(base, "public"),
		"--origin=good.example", "--header=X-All: one", "--header=X-All: two",
		"--header-ws=X-WS: ws", "--header-http=X-HTTP: http", "--header-http=X-HTTP-2: also")
	check := func(what string, h http.Header, is101 bool) {
		t.Helper()
		want := map[string]string{"X-All": "one,two", "X-WS": "", "X-HTTP": "http", "X-HTTP-2": "also"}
		if is101 {
			want = map[string]string{"X-All": "one,two", "X-WS": "ws", "X-HTTP": "", "X-HTTP-2": ""}
		}
		for name, value := range want {
			if got := strings.Join(h.Values(name), ","); got != value {
				t.Errorf("%s: %s is %q, want %q", what, name, got, value)
			}
		}
	}
	conn, resp, err := websocket.DefaultDialer.Dial(s.url("/echo.sh"), nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	check("101", resp.Header, true)
	check("static 200", s.fetch("GET", "/", nil, "").header, false)
	check("static 404", s.fetch("GET", "/missing", nil, "").header, false)
	check("static 405", s.fetch("POST", "/", nil, "").header, false)
	check("upgrade 404", s.rawRequest(s.rawUpgrade("/missing.sh", "")).header, false)
	check("upgrade 403", s.rawRequest(s.rawUpgrade("/echo.sh", "Origin: http://evil.example\r\n")).header, false)
}

// A refused request never takes a --maxforks slot: with the one slot
// taken, a bad origin still gets 403 and a bad script 404 or 403; only a
// request that would start a process gets 429.
func TestRefusalsComeBeforeTheForksLimit(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{"scripts/echo.sh": "#!/bin/sh\ncat\n", "scripts/notexec.txt": "x"})
	s := startServer(t, "--dir="+filepath.Join(base, "scripts"), "--maxforks=1", "--origin=good.example")
	good, bad := "http://good.example", "http://evil.example"
	hold, _, err := websocket.DefaultDialer.Dial(s.url("/echo.sh"), http.Header{"Origin": {good}})
	if err != nil {
		t.Fatal(err)
	}
	send(t, hold, websocket.TextMessage, "holding the slot")
	expectText(t, hold, "holding the slot")
	cases := []struct {
		path, origin string
		want         int
	}{
		{"/echo.sh", bad, 403},
		{"/echo.sh", "null", 403},
		{"/missing.sh", good, 404},
		{"/missing.sh", bad, 403}, // the origin is checked first
		{"/../scripts/echo.sh", good, 404},
		{"/notexec.txt", good, 403},
		{"/echo.sh", good, 429},
		{"/echo.sh", "", 429},
	}
	for _, tc := range cases {
		if got := s.upgradeStatus(tc.path, tc.origin, ""); got != tc.want {
			t.Errorf("%s with Origin %q: status %d, want %d", tc.path, tc.origin, got, tc.want)
		}
	}
	hold.Close()
	waitFor(t, readTimeout, "the slot to be free again", func() bool {
		return s.upgradeStatus("/echo.sh", good, "") == http.StatusSwitchingProtocols
	})
	waitFor(t, readTimeout, "both sessions to end", func() bool {
		return len(s.out.lines("| DISCONNECT")) >= 2
	})
	if started := len(s.out.lines("| CONNECT")); started != 2 {
		t.Errorf("%d processes started, want 2", started)
	}
}

// A client that sends part of a header and then nothing (slowloris) is
// dropped once the header timeout passes.
func TestUnfinishedHeaderIsDropped(t *testing.T) {
	s := startServer(t, "cat")
	conn, err := net.DialTimeout("tcp", s.addr, readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: "+s.addr+"\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// Far longer than the server's header timeout; it only bounds a failure.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("the server kept a connection whose header never ended: %v", err)
	}
}

// localhostFirst reports whether /etc/hosts names 127.0.0.1 "localhost"
// first, which is what a PTR lookup of it then returns.
func localhostFirst() bool {
	data, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "127.0.0.1" {
			return fields[1] == "localhost"
		}
	}
	return false
}

func TestReverseLookupSetsRemoteHost(t *testing.T) {
	if !localhostFirst() {
		t.Skip("/etc/hosts does not name 127.0.0.1 localhost first")
	}
	report := []string{"sh", "-c", `echo "$REMOTE_HOST $REMOTE_ADDR"`}
	looked := startServer(t, append([]string{"--reverselookup"}, report...)...)
	expectText(t, looked.dial("/"), "localhost 127.0.0.1")
	plain := startServer(t, report...)
	expectText(t, plain.dial("/"), "127.0.0.1 127.0.0.1")
}

// One name in all three directories: an upgrade runs the --dir script, a
// plain request the CGI script, and the static file is never reached.
func TestRoutingOrder(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{
		"scripts/same.sh": "#!/bin/sh\necho websocket\n",
		"cgi/same.sh":     "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\ncgi\\n'\n",
		"public/same.sh":  "static",
		"public/only.txt": "only static",
	})
	s := startServer(t, "--dir="+filepath.Join(base, "scripts"), "--cgidir="+filepath.Join(base, "cgi"),
		"--staticdir="+filepath.Join(base, "public"))
	expectText(t, s.dial("/same.sh"), "websocket")
	want := map[string]reply{
		"/same.sh":  {status: 200, body: "cgi\n"},
		"/only.txt": {status: 200, body: "only static"},
		"/missing":  {status: 404, body: "404 page not found\n"},
	}
	for path, w := range want {
		if got := s.fetch("GET", path, nil, ""); got.status != w.status || got.body != w.body {
			t.Errorf("GET %s: %d %q, want %d %q", path, got.status, got.body, w.status, w.body)
		}
	}
	if got := s.upgradeStatus("/only.txt", "", ""); got != http.StatusNotFound {
		t.Errorf("an upgrade to a static file: %d, want 404", got)
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
