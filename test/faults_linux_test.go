package test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestUnixSocketInReadOnlyDirectory(t *testing.T) {
	// As root, file permissions do not stop a bind; a read-only mount does.
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
		t.Skipf("cannot mount a read-only tmpfs to test with (%v); a chmod 0555 directory does not stop root", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	s := startProcessOnly(t, "--unixsocket="+filepath.Join(dir, "ws.sock"), "cat")
	if code := s.wait(startTimeout); code != 3 {
		t.Fatalf("exit code %d, want 3 (cannot listen)\n%s", code, s.out)
	}
	if !strings.Contains(s.out.String(), "read-only file system") {
		t.Fatalf("the error does not say why:\n%s", s.out)
	}
	t.Logf("the server said: %s", strings.TrimSpace(s.out.String()))
}
