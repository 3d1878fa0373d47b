package child

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// deadPid is the PID of a process that has ended and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// fakeCgroup makes dir (and its parents) in a fake cgroup tree, with
// "populated" in its cgroup.events when populated; an empty one has no
// file at all, so that rmdir works on it as on cgroupfs.
func fakeCgroup(t *testing.T, dir string, populated bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if populated {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.events"), []byte("populated 1\nfrozen 0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeParent is a fake cgroup holding procs, the server's own cgroup.
func fakeParent(t *testing.T, procs string) string {
	t.Helper()
	parent := t.TempDir()
	if err := os.WriteFile(filepath.Join(parent, "cgroup.procs"), []byte(procs), 0o644); err != nil {
		t.Fatal(err)
	}
	return parent
}

func serverDir(parent string, pid int) string {
	return filepath.Join(parent, "websocketd-"+strconv.Itoa(pid))
}

// TestSweepRemovesOnlyEmptyTreesOfDeadServers: in a fake cgroup tree, the
// empty trees of dead servers (and a tree under this server's own PID,
// left by a former holder) go; a live server's, a dead one's that still
// holds processes, and everything not named like a server's stay.
func TestSweepRemovesOnlyEmptyTreesOfDeadServers(t *testing.T) {
	parent := fakeParent(t, strconv.Itoa(os.Getpid())+"\n")
	self, dead, deadRunning := 4000000, deadPid(t), deadPid(t)
	live := os.Getpid()
	gone := []string{serverDir(parent, dead), serverDir(parent, self)}
	fakeCgroup(t, filepath.Join(gone[0], "s1"), false)
	fakeCgroup(t, filepath.Join(gone[0], "s2", "nested"), false)
	fakeCgroup(t, gone[1], false)
	kept := []string{serverDir(parent, live), serverDir(parent, deadRunning)}
	fakeCgroup(t, filepath.Join(kept[0], "s1"), false)
	fakeCgroup(t, filepath.Join(kept[1], "s3"), false)
	fakeCgroup(t, kept[1], true)
	for _, name := range []string{"other", "websocketd-test-" + strconv.Itoa(dead),
		"websocketd-0" + strconv.Itoa(dead), "websocketd-0", "websocketd--1", "websocketd-"} {
		fakeCgroup(t, filepath.Join(parent, name), false)
		kept = append(kept, filepath.Join(parent, name))
	}

	sweep := sweepDeadServerCgroups(parent, self)

	if sweep.removed != len(gone) || len(sweep.errs) != 0 || sweep.skipped != "" {
		t.Errorf("removed %d, errors %v, skipped %q; want %d removed", sweep.removed, sweep.errs, sweep.skipped, len(gone))
	}
	if !slices.Equal(sweep.running, []string{kept[1]}) {
		t.Errorf("reported as still running: %q, want %q", sweep.running, kept[1])
	}
	for _, dir := range gone {
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s is still there", dir)
		}
	}
	for _, dir := range kept {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s is gone: %v", dir, err)
		}
	}
}

// TestSweepTrustsNoPidFromAnotherNamespace: a process that this PID
// namespace cannot see (0 in cgroup.procs) may be a live server whose PID
// means nothing here, so nothing is removed.
func TestSweepTrustsNoPidFromAnotherNamespace(t *testing.T) {
	parent := fakeParent(t, strconv.Itoa(os.Getpid())+"\n0\n")
	dir := serverDir(parent, deadPid(t))
	fakeCgroup(t, dir, false)
	sweep := sweepDeadServerCgroups(parent, os.Getpid())
	if sweep.removed != 0 || sweep.skipped == "" {
		t.Errorf("removed %d, skipped %q; want nothing removed, and why", sweep.removed, sweep.skipped)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("%s is gone: %v", dir, err)
	}
}

func TestServerCgroupPid(t *testing.T) {
	for name, want := range map[string]int{"websocketd-1": 1, "websocketd-4194304": 4194304} {
		if pid, ok := serverCgroupPid(name); !ok || pid != want {
			t.Errorf("%q: got (%d, %v), want %d", name, pid, ok, want)
		}
	}
	for _, name := range []string{"websocketd-", "websocketd-0", "websocketd-01", "websocketd-+1",
		"websocketd--1", "websocketd-1 ", "websocketd-test-1", "websocketd-99999999999999999999", "s1"} {
		if pid, ok := serverCgroupPid(name); ok {
			t.Errorf("%q is no server's cgroup, got PID %d", name, pid)
		}
	}
}

// FuzzServerCgroupPid: whatever a directory is called, a PID comes back
// only for the exact name a server gives its cgroup.
func FuzzServerCgroupPid(f *testing.F) {
	for _, seed := range []string{"websocketd-123", "websocketd-0123", "websocketd--5", "websocketd-", "sX"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		pid, ok := serverCgroupPid(name)
		if ok && (pid <= 0 || "websocketd-"+strconv.Itoa(pid) != name) {
			t.Errorf("%q gave PID %d", name, pid)
		}
	})
}

func TestNspidDepth(t *testing.T) {
	cases := []struct {
		status string
		depth  int
		ok     bool
	}{
		{"Name:\tsh\nNSpid:\t812\nNSpgid:\t812\n", 1, true},
		{"NStgid:\t9\t1\nNSpid:\t9\t1\n", 2, true},
		{"Name:\tsh\nPid:\t812\n", 0, false}, // before Linux 4.1
		{"NSpid:\t\n", 0, false},
	}
	for _, c := range cases {
		if depth, ok := nspidDepth([]byte(c.status)); depth != c.depth || ok != c.ok {
			t.Errorf("%q: got (%d, %v), want (%d, %v)", c.status, depth, ok, c.depth, c.ok)
		}
	}
}

// FuzzNspidDepth: any status text gives a depth only with a PID on an
// NSpid line.
func FuzzNspidDepth(f *testing.F) {
	for _, seed := range []string{"NSpid:\t1\n", "NSpid:\t9\t1\n", "NSpid:", "Pid:\t3\nNSpid:\t\t\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, status []byte) {
		depth, ok := nspidDepth(status)
		if ok != (depth > 0) || (ok && !strings.Contains(string(status), "NSpid:")) {
			t.Errorf("%q gave (%d, %v)", status, depth, ok)
		}
	})
}
