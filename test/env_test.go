//go:build !windows

package test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/gorilla/websocket"
)

// This file tests what a hostile client can put into a WebSocket child's
// environment through its headers and its path.

// A header spelled with underscores must not pose as its dashed twin:
// HTTP_X_FORWARDED_FOR is what the proxy sent, never what the client added.
func TestUnderscoreHeaderNeverReachesTheEnvironment(t *testing.T) {
	s := startServer(t, script(t, "xff.sh", "echo \"xff=$HTTP_X_FORWARDED_FOR|tag=${HTTP_X_TAG-unset}\"\nexec cat\n"))
	header := http.Header{"X-Forwarded-For": {"192.0.2.1"}, "X_Forwarded_For": {"203.0.113.66"},
		"X_Tag": {"spoofed"}}
	conn, _, err := websocket.DefaultDialer.Dial(s.url("/"), header)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	expectText(t, conn, "xff=192.0.2.1|tag=unset")
}

func TestCGIUnderscoreHeaderNeverReachesTheEnvironment(t *testing.T) {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{"cgi/xff.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n" +
		"echo \"xff=$HTTP_X_FORWARDED_FOR|tag=${HTTP_X_TAG-unset}\"\n"})
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	// Several times: with both spellings, the CGI host let a random one win.
	for range 5 {
		got := s.fetch("GET", "/xff.cgi", http.Header{"X-Forwarded-For": {"192.0.2.1"},
			"X_Forwarded_For": {"203.0.113.66"}, "X_Tag": {"spoofed"}}, "")
		if got.status != http.StatusOK || got.body != "xff=192.0.2.1|tag=unset\n" {
			t.Fatalf("%d %q, want only the dashed header", got.status, got.body)
		}
	}
}

// No control character but TAB reaches a child from the path: not only CR,
// LF and NUL but ESC (a terminal's escape sequences) and DEL too.
func TestPathInfoHoldsNoControlCharacter(t *testing.T) {
	s := startServer(t, script(t, "path.sh", "echo \"path=$PATH_INFO\"\nexec cat\n"))
	expectText(t, s.dial("/a%1b%5b2Jb%7fc%09d%0de"), "path=/a [2Jb c\td e")
}

// A room's path becomes WEBSOCKETD_ROOM: one with a control character in
// it cannot be a room, and is refused before the upgrade (never a 500).
func TestRoomPathWithControlCharacterIsRefused(t *testing.T) {
	base := tempBase(t)
	roomScript := "#!/bin/sh\necho \"room=$WEBSOCKETD_ROOM\"\nexec cat\n"
	writeFiles(t, base, map[string]string{"scripts/room.sh": roomScript})
	command := startServer(t, "--room", filepath.Join(base, "scripts", "room.sh"))
	dir := startServer(t, "--room", "--dir="+filepath.Join(base, "scripts"))
	refused := map[*server][]string{
		command: {"/a%0ab", "/a%0d%0aINJECTED=1", "/a%00b", "/a%1bb", "/a%7f"},
		dir:     {"/room.sh/a%0ab", "/room.sh/a%1bb"},
	}
	for s, paths := range refused {
		for _, path := range paths {
			if status := s.dialStatus(path, nil); status != http.StatusBadRequest {
				t.Errorf("room %s: status %d, want 400", path, status)
			}
		}
		if len(s.children()) != 0 {
			t.Errorf("a refused room started a process: %v", s.children())
		}
	}
	expectText(t, command.dial("/a%20b%09c"), "room=/a b\tc")
	expectText(t, dir.dial("/room.sh/x%20y"), "room=/room.sh/x y")
}
