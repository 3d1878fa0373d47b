//go:build unix

package libwebsocketd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The resolver's fuzz target builds its tree with Unix permissions and
// symlinks; Windows's rules are fuzzed in winpath_test.go.

// fuzzScriptTree builds a --dir with scripts, a directory, a file that is not
// executable and symlinks leading inside and outside it. It returns the
// directory and the real path of the outside one.
func fuzzScriptTree(t testing.TB) (root, outside string) {
	base := t.TempDir()
	root, outside = filepath.Join(base, "scripts"), filepath.Join(base, "outside")
	for _, dir := range []string{root, filepath.Join(root, "sub"), outside} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]os.FileMode{"echo.sh": 0o755, "noexec.sh": 0o644, "sub/deep.sh": 0o755}
	for name, mode := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.sh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"link-in":      "echo.sh",
		"link-out":     filepath.Join(outside, "secret.sh"),
		"linkdir-out":  outside,
		"sub/relative": "../../outside/secret.sh",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	realOutside, err := filepath.EvalSymlinks(outside)
	if err != nil {
		t.Fatal(err)
	}
	return root, realOutside
}

// FuzzResolveScript: whatever the path, a script found is an executable
// regular file inside the directory, symlinks resolved.
func FuzzResolveScript(f *testing.F) {
	root, outside := fuzzScriptTree(f)
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path string) {
		s, err := resolveScript(root, path)
		if err != nil {
			return
		}
		if !within(realRoot, s.path) || strings.HasPrefix(s.path, outside) {
			t.Fatalf("%q resolved to %q, outside %q", path, s.path, realRoot)
		}
		info, err := os.Stat(s.path)
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
			t.Fatalf("%q resolved to %q, not an executable file (%v)", path, s.path, err)
		}
		if !strings.HasPrefix(s.name, "/") || (s.pathInfo != "" && !strings.HasPrefix(s.pathInfo, "/")) {
			t.Fatalf("%q gave SCRIPT_NAME %q and PATH_INFO %q", path, s.name, s.pathInfo)
		}
	})
}
