//go:build !windows

package test

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"
)

// htpasswd writes an htpasswd file of bcrypt entries, user then password.
func htpasswd(t testing.TB, path string, userPasswords ...string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i+1 < len(userPasswords); i += 2 {
		hash, err := bcrypt.GenerateFromPassword([]byte(userPasswords[i+1]), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(userPasswords[i] + ":" + string(hash) + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const challenge = `WWW-Authenticate: Basic realm="websocketd"`

// Without the right credentials every kind of request gets 401 and the
// challenge, and no process starts; with them the child and the CGI
// script learn the user but never the password.
func TestBasicAuthGuardsUpgradesAndPlainHTTP(t *testing.T) {
	dir := t.TempDir()
	passwords := htpasswd(t, filepath.Join(dir, "htpasswd"), "alice", "wonderland", "bob", "builder")
	marker := filepath.Join(dir, "started")
	writeFiles(t, filepath.Join(dir, "cgi"), map[string]string{"env.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n" +
		"echo \"$AUTH_TYPE|$REMOTE_USER|${HTTP_AUTHORIZATION-unset}\"\n"})
	writeFiles(t, filepath.Join(dir, "static"), map[string]string{"hello.txt": "hello\n"})
	s := startServer(t, "--basicauth="+passwords, "--cgidir="+filepath.Join(dir, "cgi"),
		"--staticdir="+filepath.Join(dir, "static"),
		script(t, "who.sh", "touch "+marker+"\necho \"$AUTH_TYPE|$REMOTE_USER|${HTTP_AUTHORIZATION-unset}\"\n"))

	for _, url := range []string{s.url("/"), "ws://alice:wrong@" + s.addr + "/", "ws://mallory:builder@" + s.addr + "/"} {
		out := pythonClient(t, url)
		if !strings.Contains(out, "STATUS 401") || !strings.Contains(out, challenge) {
			t.Errorf("upgrade to %s: %q, want 401 with the challenge", url, out)
		}
	}
	for _, path := range []string{"/hello.txt", "/env.cgi"} {
		head := curlHead(t, "http://"+s.addr+path)
		if !strings.HasPrefix(head, "HTTP/1.1 401") || !strings.Contains(head, challenge) {
			t.Errorf("GET %s without credentials:\n%s", path, head)
		}
	}
	if _, err := os.Stat(marker); err == nil || len(s.children()) > 0 {
		t.Fatal("a process started for an unauthenticated client")
	}
	if failed := s.awaitLines("authentication failed", 5); len(failed) < 5 || !strings.Contains(failed[0], "127.0.0.1:") {
		t.Errorf("failed attempts not logged with the remote address:\n%s", s.out)
	}

	out := pythonClient(t, "ws://alice:wonderland@"+s.addr+"/")
	if want := "MESSAGE Basic|alice|unset\nCLOSE 1000"; !strings.HasPrefix(out, want) {
		t.Errorf("authenticated session: %q, want %q", out, want)
	}
	if body := curl(t, "-u", "bob:builder", "http://"+s.addr+"/env.cgi"); body != "Basic|bob|unset\n" {
		t.Errorf("CGI saw %q", body)
	}
	if body := curl(t, "-u", "bob:builder", "http://"+s.addr+"/hello.txt"); body != "hello\n" {
		t.Errorf("static file with credentials: %q", body)
	}
}

// SIGHUP re-reads the file: a removed user is refused, a new one let in,
// and a file that turned weak keeps the users read before.
func TestBasicAuthReloadsOnSIGHUP(t *testing.T) {
	path := htpasswd(t, filepath.Join(t.TempDir(), "htpasswd"), "alice", "one")
	s := startServer(t, "--basicauth="+path, "cat")
	if got := s.fetch("GET", "/", nil, "").status; got != 401 {
		t.Fatalf("status %d without credentials", got)
	}
	htpasswd(t, path, "carol", "two")
	reloadAndWait(t, s, "--basicauth file reloaded")
	if out := pythonClient(t, "ws://alice:one@"+s.addr+"/"); !strings.Contains(out, "STATUS 401") {
		t.Errorf("removed user: %q", out)
	}
	c := dialWithAuth(t, s, "carol", "two")
	echoOnce(t, c, "new user")
	os.WriteFile(path, []byte("carol:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"), 0o600)
	reloadAndWait(t, s, "SIGHUP: keeping the old users")
	echoOnce(t, dialWithAuth(t, s, "carol", "two"), "still there")
	// A cost the server could not check in any reasonable time is refused
	// at once, rather than holding up the signal loop while a decoy hashes.
	os.WriteFile(path, []byte("carol:$2y$31$"+saltAndHash+"\n"), 0o600)
	reloadAndWait(t, s, `user "carol": bcrypt cost 31 is above 17`)
	echoOnce(t, dialWithAuth(t, s, "carol", "two"), "still there after a costly file")
}

// saltAndHash completes a bcrypt hash well enough for the parser, which
// checks the form and the cost without hashing.
var saltAndHash = strings.Repeat("a", 53)

// A file that is weak, too costly to check, or unreadable stops the start
// with a message naming the file, and the line and user where there is one.
func TestBasicAuthRefusesWeakOrUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"weak":   "alice:$apr1$JQ1r9Qx5$LmFtk5qFhXXO0cFdFlvW5/\n",
		"2x":     "alice:$2x$05$" + saltAndHash + "\n",
		"costly": "alice:$2y$05$" + saltAndHash + "\nbob:$2y$31$" + saltAndHash + "\n",
	}
	for name, content := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
	}
	for file, says := range map[string]string{
		filepath.Join(dir, "weak"):    "only bcrypt",
		filepath.Join(dir, "2x"):      dir + `/2x: line 1: user "alice": $2x$ hash refused`,
		filepath.Join(dir, "costly"):  dir + `/costly: line 2: user "bob": bcrypt cost 31 is above 17`,
		filepath.Join(dir, "missing"): "no such file",
	} {
		s := startProcessOnly(t, "--port=0", "--basicauth="+file, "cat")
		if code := s.wait(readTimeout); code != 1 || !strings.Contains(s.out.String(), says) {
			t.Errorf("--basicauth=%s: exit %d, output %q, want 1 and %q", file, code, s.out, says)
		}
	}
}

// dialWithAuth opens a WebSocket with Basic credentials.
func dialWithAuth(t testing.TB, s *server, user, password string) *websocket.Conn {
	t.Helper()
	header := http.Header{"Authorization": {"Basic " +
		base64.StdEncoding.EncodeToString([]byte(user+":"+password))}}
	c, resp, err := websocket.DefaultDialer.Dial(s.url("/"), header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial as %s: %v (status %d)\n%s", user, err, status, s.out)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Chromium given credentials in the URL loads the console page with them
// and reuses them for the page's WebSocket, which then echoes.
func TestBrowserBasicAuth(t *testing.T) {
	tab := newBrowser(t)
	path := htpasswd(t, filepath.Join(t.TempDir(), "htpasswd"), "alice", "wonderland")
	s := startServer(t, "--basicauth="+path, "--devconsole",
		script(t, "who.sh", "echo \"user=$REMOTE_USER\"\nexec cat\n"))
	err := chromedp.Do(tab,
		chromedp.Navigate("http://alice:wonderland@"+s.addr+"/who"),
		chromedp.WaitVisible(chromedp.CSS("#connect")),
		chromedp.Click(chromedp.CSS("#connect")),
		chromedp.WaitVisible(chromedp.CSS("#status.open")),
		chromedp.WaitVisible(chromedp.CSS("#log .event.message")),
	)
	if err != nil {
		t.Fatalf("console with credentials: %v\nserver log:\n%s", err, s.out)
	}
	if got := textOf(t, tab, "#log .event.message"); got != "← user=alice" {
		t.Errorf("first message %q, want the user name", got)
	}
}
