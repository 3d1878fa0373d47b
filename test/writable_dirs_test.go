//go:build !windows

package test

import (
	"os"
	"strings"
	"testing"
)

// TestWarnsAboutScriptDirsEveryUserMayWrite: whoever may write to --dir
// or --cgidir can run any program as websocketd's user (a script swapped
// for a symlink after its check runs what the symlink leads to, and a new
// script runs anyway), so the server says so at start when that is every
// user; about a private directory it says nothing.
func TestWarnsAboutScriptDirsEveryUserMayWrite(t *testing.T) {
	private := t.TempDir()
	open := t.TempDir()
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	const warning = "every user may write to"
	cases := []struct{ warnFor, args []string }{
		{[]string{"--dir"}, []string{"--dir=" + open, "--cgidir=" + private}},
		{[]string{"--cgidir"}, []string{"--dir=" + private, "--cgidir=" + open}},
		{nil, []string{"--dir=" + private, "--cgidir=" + private}},
	}
	for _, c := range cases {
		s := startServer(t, c.args...)
		got := s.out.lines(warning)
		if len(got) != len(c.warnFor) {
			t.Errorf("%v: want %d warnings, got %q", c.args, len(c.warnFor), got)
			continue
		}
		for i, line := range got {
			if !strings.Contains(line, open) || !strings.Contains(line, c.warnFor[i]) {
				t.Errorf("%v: the warning %q should name %s and %s", c.args, line, open, c.warnFor[i])
			}
		}
		s.stop()
	}
}
