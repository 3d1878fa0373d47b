//go:build unix

// These build trees with execute bits and symlinks: Unix only. Windows has
// resolve_windows_test.go.

package libwebsocketd

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// scriptTree builds, in a fresh temporary directory:
//
//	root/chat.sh            executable
//	root/sub/tool.sh        executable
//	root/sub/empty/         a directory
//	root/plain.txt          not executable
//	root/.hidden.sh         executable dot file
//	root/alias.sh        -> chat.sh (a symlink that stays inside)
//	root/escape.sh       -> ../outside/evil.sh
//	root/escapedir       -> ../outside
//	outside/evil.sh         executable, outside the root
//
// and returns the root and the outside directory, both without symlinks.
func scriptTree(t *testing.T) (root, outside string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, dir := range []string{root, outside, filepath.Join(root, "sub", "empty")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]os.FileMode{
		"root/chat.sh": 0o755, "root/sub/tool.sh": 0o755, "root/plain.txt": 0o644,
		"root/.hidden.sh": 0o755, "outside/evil.sh": 0o755,
	}
	for name, mode := range files {
		if err := os.WriteFile(filepath.Join(base, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"root/alias.sh": "chat.sh", "root/escape.sh": "../outside/evil.sh", "root/escapedir": "../outside",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(base, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

func TestResolveScriptFindsScriptAndPathInfo(t *testing.T) {
	root, _ := scriptTree(t)
	cases := []struct {
		escaped, path, name, pathInfo string
	}{
		{"/chat.sh", "chat.sh", "/chat.sh", ""},
		{"/sub/tool.sh", "sub/tool.sh", "/sub/tool.sh", ""},
		{"/sub/tool.sh/extra/path", "sub/tool.sh", "/sub/tool.sh", "/extra/path"},
		{"/sub/tool.sh/a%20b", "sub/tool.sh", "/sub/tool.sh", "/a b"},
		{"/%63hat.sh", "chat.sh", "/chat.sh", ""},
		// A symlink that stays inside runs the file it points to.
		{"/alias.sh", "chat.sh", "/alias.sh", ""},
	}
	for _, tc := range cases {
		got, err := resolveScript(root, tc.escaped)
		if err != nil {
			t.Errorf("%s: %v", tc.escaped, err)
			continue
		}
		want := script{path: filepath.Join(root, tc.path), name: tc.name, pathInfo: tc.pathInfo}
		if got != want {
			t.Errorf("%s: got %+v, want %+v", tc.escaped, got, want)
		}
	}
}

func TestResolveScriptNeverLeavesRoot(t *testing.T) {
	root, _ := scriptTree(t)
	for _, escaped := range []string{
		"/", "/missing.sh", "/sub", "/sub/", "/sub/empty", "/chat.sh/",
		"/../outside/evil.sh", "/sub/../../outside/evil.sh",
		"/%2e%2e/outside/evil.sh", "/%2E%2E/outside/evil.sh", "/.%2e/outside/evil.sh",
		"/..%2Foutside%2Fevil.sh", "/..%2foutside/evil.sh", "/sub%2Ftool.sh",
		"/..\\outside\\evil.sh", "/..%5Coutside%5Cevil.sh",
		"/.hidden.sh", "/%2ehidden.sh", "/./chat.sh", "//chat.sh", "/sub//tool.sh",
		"/chat.sh%00", "/chat.sh%00.txt", "/%00",
		"/escape.sh", "/escapedir/evil.sh", "/escapedir",
		"/bad%zzescape",
	} {
		_, err := resolveScript(root, escaped)
		if !errors.Is(err, errNotFound) {
			t.Errorf("%q: got error %v, want errNotFound", escaped, err)
		}
	}
}

func TestResolveScriptRefusesNonExecutable(t *testing.T) {
	root, _ := scriptTree(t)
	_, err := resolveScript(root, "/plain.txt")
	if !errors.Is(err, errNotExecutable) {
		t.Fatalf("got %v, want errNotExecutable", err)
	}
	if statusFor(err) != 403 {
		t.Fatalf("status %d, want 403", statusFor(err))
	}
}

// A relative --dir must still give an absolute path to run: the child is
// started in the script's own directory, where a relative path would not
// lead to the script any more.
func TestResolveScriptRelativeRootGivesAbsolutePath(t *testing.T) {
	root, _ := scriptTree(t)
	t.Chdir(filepath.Dir(root))
	got, err := resolveScript("root", "/sub/tool.sh")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "sub", "tool.sh"); got.path != want {
		t.Fatalf("path %q, want %q", got.path, want)
	}
}

func TestWithin(t *testing.T) {
	cases := []struct {
		root, path string
		want       bool
	}{
		{"/a", "/a", true},
		{"/a", "/a/b", true},
		{"/a", "/a/..b", true},
		{"/a", "/ab", false},
		{"/a", "/", false},
		{"/a/b", "/a", false},
		{"/a", "/b/a", false},
	}
	for _, tc := range cases {
		if got := within(tc.root, tc.path); got != tc.want {
			t.Errorf("within(%q, %q) = %v, want %v", tc.root, tc.path, got, tc.want)
		}
	}
}

// With one COMMAND, as with the classic websocketd, SCRIPT_NAME is "/" and
// the whole decoded request path is PATH_INFO.
func TestSingleCommandGetsThePathAsPathInfo(t *testing.T) {
	h := &Handler{cfg: Config{Command: []string{"cat"}}}
	for target, wantPathInfo := range map[string]string{
		"/":                  "/",
		"/some/path?q=1":     "/some/path",
		"/room/a%20b/":       "/room/a b/",
		"/deep/er/still.txt": "/deep/er/still.txt",
	} {
		got, _, err := h.resolveCommand(httptest.NewRequest("GET", target, nil))
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if got.scriptName != "/" || got.pathInfo != wantPathInfo {
			t.Errorf("%s: SCRIPT_NAME %q PATH_INFO %q, want \"/\" and %q",
				target, got.scriptName, got.pathInfo, wantPathInfo)
		}
	}
}
