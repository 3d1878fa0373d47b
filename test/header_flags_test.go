//go:build !windows

package test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// --header, --header-ws and --header-http: which responses carry which
// headers.

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
