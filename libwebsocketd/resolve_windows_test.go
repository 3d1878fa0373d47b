package libwebsocketd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The resolver on a real Windows file system (run under Wine in CI): it
// finds programs by extension, matches names case-insensitively, and
// refuses what Windows would read as another name.
func TestResolveScriptWindows(t *testing.T) {
	// Not t.TempDir: under Wine 8.0, deleting these files from a Go 1.26
	// test binary fails ("unlinkat ...: Invalid function"), which would fail
	// the test at its cleanup. The files live in a throw-away Wine prefix.
	root, err := os.MkdirTemp("", "resolve-windows-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	for _, name := range []string{"run.exe", "tool.bat", "job.CMD", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]string{"/run.exe": "run.exe", "/RUN.EXE": "run.exe",
		"/tool.bat/more": "tool.bat", "/job.CMD": "job.CMD"} {
		s, err := resolveScript(root, path)
		if err != nil || !strings.EqualFold(filepath.Base(s.path), want) {
			t.Errorf("%s: %+v, %v; want %s", path, s, err, want)
		}
	}
	if _, err := resolveScript(root, "/notes.txt"); !errors.Is(err, errNotExecutable) ||
		!strings.Contains(err.Error(), ".exe, .bat and .cmd") {
		t.Errorf("/notes.txt: %v, want a 403 that says what runs", err)
	}
	for _, path := range []string{"/run.exe.", "/run.exe%20", "/CON", "/nul.exe", "/run.exe%3A%3A$DATA",
		"/C%3A/Windows/System32/cmd.exe", "/..%5Crun.exe", "/RUN~1.EXE"} {
		if _, err := resolveScript(root, path); !errors.Is(err, errNotFound) {
			t.Errorf("%s: %v, want not found", path, err)
		}
	}
}
