//go:build !windows

package test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/gorilla/websocket"
)

// Which part of the server answers a request, and in what order its checks
// refuse one.

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
