//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWorldWritableDir: a script directory that every user may write to,
// or that lies in one that is not sticky, is found; one that lies in a
// sticky one (like /tmp) is not, nor a private one; and a symlink is
// judged by where it leads too.
func TestWorldWritableDir(t *testing.T) {
	base := t.TempDir()
	if open := firstWorldWritable(base); open != "" {
		t.Skipf("the temporary directory lies in %s, which every user may write to", open)
	}
	mkdir := func(mode os.FileMode, elem ...string) string {
		dir := filepath.Join(append([]string{base}, elem...)...)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
		return dir
	}
	open := mkdir(0o777, "open")
	inOpen := mkdir(0o755, "open", "scripts")
	sticky := mkdir(0o777|os.ModeSticky, "sticky")
	inSticky := mkdir(0o755, "sticky", "scripts")
	private := mkdir(0o755, "private")
	link := filepath.Join(private, "link")
	if err := os.Symlink(inOpen, link); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{
		open: open, inOpen: open, sticky: sticky, inSticky: "", private: "", link: open,
	} {
		if got := worldWritableDir(dir); got != want {
			t.Errorf("worldWritableDir(%s) = %q, want %q", dir, got, want)
		}
	}
}
