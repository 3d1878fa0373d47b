//go:build !windows

package test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
)

// A site of every kind of route, served by one server from one file.
const everyRouteFile = `
loglevel = "debug"

[[route]]
path = "/echo"
command = ["head", "-n", "1"]

[[route]]
path = "/chat"
command = ["cat"]
room = "plain"

[[route]]
path = "/lobby"
command = ["python3", "-u", "lobby.py"]
room = "json"

[[route]]
path = "/pty"
command = ["sh", "-c", "test -t 1 && ! test -t 0 && echo pty-ok"]
pty = true

[[route]]
path = "/term"
command = ["sh", "-c", "test -t 0 && test -t 1 && echo term-ok"]
terminal = true

[[route]]
path = "/greet"
command = ["./greet.sh", "--"]
args_from_query = "arg"
env = { GREETING = "hello" }

[[route]]
path = "/log"
command = ["sh", "-c", "echo one; echo two"]
sse = true

[[route]]
path = "/scripts/"
dir = "scripts"

[[route]]
path = "/cgi/"
cgidir = "cgi-bin"

[[route]]
path = "/"
staticdir = "www"
`

func writeSite(t *testing.T, file string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"site.toml":           file,
		"greet.sh":            "#!/bin/sh\nfor a in \"$@\"; do echo \"$GREETING [$a]\"; done\n",
		"lobby.py":            "import json, sys\nfor line in sys.stdin:\n    e = json.loads(line)\n    if e['event'] == 'join':\n        print(json.dumps({'to': [e['client']], 'data': 'welcome'}))\n",
		"scripts/where.sh":    "#!/bin/sh\necho \"$SCRIPT_NAME $PATH_INFO\"\n",
		"cgi-bin/hello.cgi":   "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\necho \"cgi $SCRIPT_NAME $PATH_INFO\"\n",
		"www/page.txt":        "a static page\n",
		"www/scripts/not.txt": "never served: /scripts/ is a route of its own\n",
	})
	return filepath.Join(dir, "site.toml")
}

func TestOneServerServesEveryKindOfRouteFromItsFile(t *testing.T) {
	vnc := startService(t, "tcp", echoService)
	site := writeSite(t, everyRouteFile+"\n[[route]]\npath = \"/vnc\"\nconnect = \""+vnc+"\"\n")
	s := startServer(t, "--config="+site)

	if out := pythonClient(t, s.url("/echo"), "over python"); !strings.Contains(out, "MESSAGE over python") {
		t.Errorf("/echo through python3-websockets: %q", out)
	}
	a, b := s.dial("/chat"), s.dial("/chat")
	send(t, a, websocket.TextMessage, "to the room")
	expectText(t, a, "to the room")
	expectText(t, b, "to the room")
	expectText(t, s.dial("/lobby"), "welcome")
	expectText(t, s.dial("/pty"), "pty-ok")
	term := s.dial("/term")
	if _, msg, err := term.ReadMessage(); err != nil || !strings.Contains(string(msg), "term-ok") {
		t.Errorf("/term: %q %v", msg, err)
	}
	greet := s.dial("/greet?arg=%24(id)&arg=--help&arg=a%3Bb%60x%60&arg=line%0Abreak")
	for _, want := range []string{"hello [--]", "hello [$(id)]", "hello [--help]", "hello [a;b`x`]", "hello [line", "break]"} {
		expectText(t, greet, want)
	}
	expectText(t, s.dial("/scripts/where.sh/extra"), "/scripts/where.sh /extra")
	if got := curl(t, "http://"+s.addr+"/cgi/hello.cgi/more"); got != "cgi /cgi/hello.cgi /more\n" {
		t.Errorf("/cgi/hello.cgi: %q", got)
	}
	if got := curl(t, "-N", "-H", "Accept: text/event-stream", "http://"+s.addr+"/log"); !strings.Contains(got, "data: one\n") || !strings.Contains(got, "data: two\n") {
		t.Errorf("/log as Server-Sent Events: %q", got)
	}
	if got := curl(t, "http://"+s.addr+"/page.txt"); got != "a static page\n" {
		t.Errorf("/page.txt: %q", got)
	}
	bridge := s.dial("/vnc")
	if err := bridge.WriteMessage(websocket.BinaryMessage, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if kind, got, err := bridge.ReadMessage(); err != nil || kind != websocket.BinaryMessage || string(got) != "\x00\x01\x02" {
		t.Errorf("/vnc through the TCP bridge: %d %q %v", kind, got, err)
	}
	if got := s.dialStatus("/scripts/not.txt", nil); got != http.StatusNotFound {
		t.Errorf("/scripts/not.txt: %d, want 404 from the /scripts/ route, not the static files under /", got)
	}
	if got := s.dialStatus("/echo/more", nil); got != http.StatusNotFound {
		t.Errorf("/echo/more: %d, want 404: an exact route serves its own path alone", got)
	}
}

// args_from_query's limits: each refused with 400 and the reason, before
// any process starts.
func TestURLArgumentsBeyondTheLimitsAreRefused(t *testing.T) {
	s := startServer(t, "--config="+writeSite(t, everyRouteFile))
	many := strings.Repeat("&arg=x", 33)[1:]
	for query, reason := range map[string]string{
		"arg=a%00b":                        "NUL",
		many:                               "more than 32",
		"arg=" + strings.Repeat("y", 4097): "longer than 4096",
	} {
		got := s.rawRequest(s.rawUpgrade("/greet?"+query, ""))
		if got.status != http.StatusBadRequest || !strings.Contains(got.body, reason) {
			t.Errorf("?%.40s: got %d %q, want 400 saying %q", query, got.status, got.body, reason)
		}
	}
	if len(s.children()) != 0 {
		t.Errorf("a refused request started a process: %v", s.children())
	}
}

// SIGHUP reloads the routes: open sessions keep their process, new ones
// get the new table; a file that fails to load keeps the old table.
func TestRoutesReloadOnSIGHUPAndOpenSessionsKeepTheirs(t *testing.T) {
	site := writeSite(t, "[[route]]\npath = \"/a\"\ncommand = [\"cat\"]\n")
	s := startServer(t, "--config="+site)
	open := s.dial("/a")
	echoOnce(t, open, "before")

	rewrite(t, site, "[[route]]\npath = \"/b\"\ncommand = [\"cat\"]\n")
	reloadAndWait(t, s, "SIGHUP: 1 routes from")
	echoOnce(t, open, "the open session keeps its process")
	if got := s.dialStatus("/a", nil); got != http.StatusNotFound {
		t.Errorf("/a after the reload removed it: %d, want 404", got)
	}
	echoOnce(t, s.dial("/b"), "the new route")

	rewrite(t, site, "[[route]]\npath = \"/c\"\ncommand = [\"cat\"]\ncolour = \"red\"\n")
	reloadAndWait(t, s, "SIGHUP: keeping the routes as they were")
	if lines := s.out.lines(`unknown key "colour"`); len(lines) == 0 || !strings.Contains(lines[0], "site.toml:4") {
		t.Errorf("the log does not name site.toml:4 for the bad key:\n%s", s.out)
	}
	echoOnce(t, s.dial("/b"), "the old table still serves")

	rewrite(t, site, "shutdownms = 1\n[[route]]\npath = \"/c\"\ncommand = [\"cat\"]\n")
	reloadAndWait(t, s, "which take a restart")
	echoOnce(t, s.dial("/b"), "a server-wide change is refused")
}

func rewrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A bad file stops the start with exit 1 and FILE:LINE.
func TestABadConfigFileStopsTheStartNamingItsLine(t *testing.T) {
	site := writeSite(t, "port = 8080\n\n[[route]]\npath = \"/\"\ncomand = [\"cat\"]\n")
	out, err := exec.Command(binary, "--config="+site).CombinedOutput()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1:\n%s", err, out)
	}
	if want := "site.toml:5: unknown key \"comand\""; !strings.Contains(string(out), want) {
		t.Errorf("output %q lacks %q", out, want)
	}
	check, err := exec.Command(binary, "--config="+writeSite(t, everyRouteFile), "--check").CombinedOutput()
	if err != nil || !strings.Contains(string(check), "/lobby") || !strings.Contains(string(check), "room=json") {
		t.Errorf("--check on a good file: %v\n%s", err, check)
	}
}

// Chromium's EventSource reads a route served as Server-Sent Events, from
// a page of another route of the same server.
func TestRoutedSiteEventSourceInChromium(t *testing.T) {
	tab := newBrowser(t)
	site := writeSite(t, everyRouteFile)
	page := `<!doctype html><title>waiting</title><script>
const got = [], source = new EventSource("/log");
source.onmessage = (e) => {
  got.push(e.lastEventId + ":" + e.data);
  if (got.length === 2) { source.close(); document.title = got.join(","); }
};
</script>`
	writeFiles(t, filepath.Dir(site), map[string]string{"www/index.html": page})
	s := startServer(t, "--config="+site)
	if err := chromedp.Do(tab, chromedp.Navigate("http://"+s.addr+"/")); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	const want = "1:one,2:two"
	waitFor(t, readTimeout, "the page's title to be "+want, func() bool {
		title, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.title`))
		if err != nil {
			t.Fatalf("reading the title: %v", err)
		}
		return title == want
	})
}
