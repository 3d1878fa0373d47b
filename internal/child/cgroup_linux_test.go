package child

import (
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestCgroup2MountFindsTheV2Hierarchy(t *testing.T) {
	cases := []struct{ name, mountinfo, root, mountPoint string }{
		{"pure v2", "29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n",
			"/", "/sys/fs/cgroup"},
		{"hybrid", "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n" +
			"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
			"/", "/sys/fs/cgroup/unified"},
		{"container bind mount with an escaped space", "50 40 0:26 /machine.slice/a\\040b /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n",
			"/machine.slice/a b", "/sys/fs/cgroup"},
		{"no optional fields, v1 named like v2", "1 2 0:1 / /cgroup2 rw - cgroup cgroup2 rw\n" +
			"3 2 0:2 / /x rw master:1 shared:2 - cgroup2 none rw\n", "/", "/x"},
	}
	for _, c := range cases {
		root, mountPoint, err := cgroup2Mount(strings.NewReader(c.mountinfo))
		if err != nil || root != c.root || mountPoint != c.mountPoint {
			t.Errorf("%s: got (%q, %q, %v), want (%q, %q)", c.name, root, mountPoint, err, c.root, c.mountPoint)
		}
	}
	if _, _, err := cgroup2Mount(strings.NewReader("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n")); err == nil {
		t.Error("a v1-only system must report that no v2 hierarchy is mounted")
	}
}

func TestUnifiedCgroupPathReadsTheV2Line(t *testing.T) {
	path, err := unifiedCgroupPath([]byte("4:memory:/x\n1:name=systemd:/\n0::/system.slice/ws.service\n"))
	if err != nil || path != "/system.slice/ws.service" {
		t.Errorf("got (%q, %v)", path, err)
	}
	if _, err := unifiedCgroupPath([]byte("4:memory:/x\n")); err == nil {
		t.Error("v1 membership only must be an error")
	}
}

func TestJoinCgroupPathStaysInsideTheMount(t *testing.T) {
	cases := []struct{ mountPoint, root, path, want string }{
		{"/sys/fs/cgroup", "/", "/system.slice/ws.service", "/sys/fs/cgroup/system.slice/ws.service"},
		{"/sys/fs/cgroup", "/machine.slice/c1", "/machine.slice/c1/app", "/sys/fs/cgroup/app"},
		{"/sys/fs/cgroup/unified", "/", "/", "/sys/fs/cgroup/unified"},
	}
	for _, c := range cases {
		got, err := joinCgroupPath(c.mountPoint, c.root, c.path)
		if err != nil || got != c.want {
			t.Errorf("joinCgroupPath(%q, %q, %q) = (%q, %v), want %q", c.mountPoint, c.root, c.path, got, err, c.want)
		}
	}
	if got, err := joinCgroupPath("/sys/fs/cgroup", "/machine.slice/c1", "/other"); err == nil {
		t.Errorf("a cgroup outside the mounted part must be an error, got %q", got)
	}
}

func TestCgroupPopulated(t *testing.T) {
	if !cgroupPopulated([]byte("populated 1\nfrozen 0\n")) {
		t.Error("populated 1 is populated")
	}
	if cgroupPopulated([]byte("populated 0\nfrozen 1\n")) {
		t.Error("populated 0 is empty")
	}
}

func TestAppendPids(t *testing.T) {
	got := appendPids(nil, []byte("12 3456 7 \n"))
	if !slices.Equal(got, []int{12, 3456, 7}) {
		t.Errorf("got %v", got)
	}
	if got := appendPids(nil, nil); len(got) != 0 {
		t.Errorf("an empty list gave %v", got)
	}
}

// TestFreezeAndKillEndsAForkingTree runs the kill of kernels before 5.14
// (no cgroup.kill) on a real cgroup: a child and the grandchild it put in
// a session of its own both end, and the cgroup can be removed.
func TestFreezeAndKillEndsAForkingTree(t *testing.T) {
	tree := testCgroupTree(t)
	dir, fd, err := tree.newSession()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "setsid sleep 300 & echo $!; exec sleep 301")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	defer cmd.Wait()
	line := make([]byte, 32)
	n, _ := out.Read(line)
	grandchild, err := strconv.Atoi(strings.TrimSpace(string(line[:n])))
	if err != nil {
		t.Fatalf("want the grandchild's pid, got %q", line[:n])
	}
	defer unix.Kill(grandchild, unix.SIGKILL)
	if err := freezeAndKill(dir); err != nil {
		t.Fatal(err)
	}
	if err := awaitCgroupEmpty(dir, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// Not our child: once dead it is init's to reap, so a zombie counts.
	if stat, err := os.ReadFile("/proc/" + strconv.Itoa(grandchild) + "/stat"); err == nil &&
		!strings.Contains(string(stat), ") Z ") {
		t.Errorf("the grandchild that left the session still runs: %s", stat)
	}
	if err := tree.remove(dir); err != nil {
		t.Fatal(err)
	}
}

// testCgroupTree makes a cgroup tree for one test, or skips when this
// process may not create cgroups.
func testCgroupTree(t *testing.T) *cgroupTree {
	t.Helper()
	own, err := ownCgroupDir()
	if err != nil {
		t.Skipf("no cgroup v2 here: %v", err)
	}
	dir := filepath.Join(own, "websocketd-test-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("this user may not create cgroups here: %v", err)
	}
	tree := &cgroupTree{dir: dir}
	t.Cleanup(func() {
		if err := tree.close(); err != nil {
			t.Error(err)
		}
	})
	return tree
}

// TestNextSessionSurvivesTheKillOfTheLast: a session whose tree had to be
// killed (cgroup.kill) at its end, then a new session. Its child must run
// to its own exit status: on kernels since cgroup.kill counts its kills
// (kill_seq), a child cloned right into a cgroup that was ever killed is
// SIGKILLed at birth, so such a cgroup must never be handed on.
func TestNextSessionSurvivesTheKillOfTheLast(t *testing.T) {
	tree := testCgroupTree(t)
	_, err := os.Stat(filepath.Join(tree.dir, "cgroup.kill"))
	tree.hasKill = err == nil
	for _, kill := range []bool{true, false} {
		dir, fd, err := tree.newSession()
		if err != nil {
			t.Fatal(err)
		}
		first := exec.Command("sleep", "300")
		first.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		unix.Close(fd)
		if !kill {
			first.Process.Kill() // gone before the release: nothing to kill
			first.Wait()
		}
		if err := tree.release(dir); err != nil {
			t.Fatal(err)
		}
		first.Wait()
		assertChildExits3(t, tree)
	}
}

// assertChildExits3 starts a child in a new session cgroup and wants its
// own exit status back.
func assertChildExits3(t *testing.T, tree *cgroupTree) {
	t.Helper()
	dir, fd, err := tree.newSession()
	if err != nil {
		t.Fatal(err)
	}
	next := exec.Command("sh", "-c", "exit 3")
	next.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	err = next.Run()
	unix.Close(fd)
	if next.ProcessState == nil || next.ProcessState.ExitCode() != 3 {
		t.Errorf("the next session's child in %s ended with %v, want exit status 3", dir, err)
	}
	if err := tree.release(dir); err != nil {
		t.Fatal(err)
	}
}

// testIdleContainment gives a session's containment whose cgroup holds no
// process yet.
func testIdleContainment(t *testing.T) (*cgroupTree, *childContainment) {
	t.Helper()
	tree := testCgroupTree(t)
	_, err := os.Stat(filepath.Join(tree.dir, "cgroup.kill"))
	tree.hasKill = err == nil
	dir, fd, err := tree.newSession()
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	cc := &childContainment{c: &containment{log: slog.New(slog.DiscardHandler), cgroups: tree}, dir: dir, fd: -1}
	return tree, cc
}

// TestKillAfterEndLeavesTheCgroupAlone: a shutdown's kill that comes
// after the session ended must not reach its cgroup, which the pool may
// have handed to the next session already.
func TestKillAfterEndLeavesTheCgroupAlone(t *testing.T) {
	tree, cc := testIdleContainment(t)
	cc.end() // the session's tree ended by itself: dir is idle now
	cc.kill()
	assertChildExits3(t, tree)
}

// TestKilledCgroupIsNotReused: a shutdown's kill before the session's end
// spoils the cgroup for reuse even when its tree was gone by the end.
func TestKilledCgroupIsNotReused(t *testing.T) {
	tree, cc := testIdleContainment(t)
	cc.kill()
	cc.end()
	assertChildExits3(t, tree)
}
