//go:build !windows

package test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// --dir: the request path picks a script in the directory and tells it
// the rest (SCRIPT_NAME, PATH_INFO, QUERY_STRING, its working directory);
// no path leads out of the directory or to a script that may not run.

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
