//go:build !windows

package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// A script whose #! interpreter does not exist fails to start with the
// same error as a missing script; the log must name the interpreter, not
// call the script, which is there, missing.
func TestMissingInterpreterIsNamedInTheLog(t *testing.T) {
	dir := t.TempDir()
	scripts := map[string]string{
		"typo.py":  "#!/usr/bin/pyhton3 -u\nprint('hi')\n",
		"dos.sh":   "#!/bin/sh\r\necho hi\r\n",
		"works.sh": "#!/bin/sh\necho hi\n",
	}
	for name, content := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ args, says []string }{
		{[]string{filepath.Join(dir, "typo.py")}, []string{`interpreter "/usr/bin/pyhton3"`, filepath.Join(dir, "typo.py")}},
		{[]string{"--dir=" + dir}, []string{`interpreter "/bin/sh\r"`, "Windows line endings"}},
	}
	for i, tc := range cases {
		s := startServer(t, tc.args...)
		target := "/"
		if i == 1 {
			target = "/dos.sh"
		}
		if code, _ := expectClose(t, s.dial(target)); code != websocket.CloseInternalServerErr {
			t.Errorf("%v: close code %d, want 1011", tc.args, code)
		}
		waitFor(t, readTimeout, "the cannot-start line", func() bool {
			return len(s.out.lines("cannot start process")) > 0
		})
		line := s.out.lines("cannot start process")[0]
		for _, want := range tc.says {
			if !strings.Contains(line, want) {
				t.Errorf("%v: the log line does not say %q: %s", tc.args, want, line)
			}
		}
		if strings.Contains(line, "no such file or directory") {
			t.Errorf("%v: the log line blames a file that exists: %s", tc.args, line)
		}
		if i == 1 { // the same server runs a sound script, so the failure meant something
			expectText(t, s.dial("/works.sh"), "hi")
		}
	}
}

// The same for a CGI script: the 500 comes with a line naming the
// interpreter.
func TestMissingInterpreterOfCGIScriptIsNamed(t *testing.T) {
	dir := tempBase(t) // the log names the real path
	if err := os.WriteFile(filepath.Join(dir, "typo.cgi"), []byte("#!/usr/bin/pyhton3\nprint()\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--cgidir="+dir)
	if got := s.fetch("GET", "/typo.cgi", nil, ""); got.status != 500 {
		t.Fatalf("GET /typo.cgi: %d, want 500", got.status)
	}
	waitFor(t, readTimeout, "a line naming the interpreter", func() bool {
		return len(s.out.lines(`interpreter "/usr/bin/pyhton3", named on the #! line of `+filepath.Join(dir, "typo.cgi"))) == 1
	})
}
