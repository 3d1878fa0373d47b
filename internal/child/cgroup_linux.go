package child

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupEmptyTimeout bounds the wait for a killed cgroup's processes to
// be gone; SIGKILL is not ignorable, so only a process stuck in the kernel
// (uninterruptible sleep) takes longer.
const cgroupEmptyTimeout = 5 * time.Second

// maxIdleCgroups bounds the emptied session cgroups kept for reuse.
const maxIdleCgroups = 64

// cgroupTree is the cgroup v2 directory the server made for its sessions;
// each session gets a child of it. An emptied child is reused by a later
// session: creating and removing a cgroup cost a fifth of the server's
// CPU time per connection in the churn benchmark.
type cgroupTree struct {
	dir     string
	next    atomic.Uint64 // names the next new session cgroup
	hasKill bool          // cgroup.kill exists (Linux 5.14 and later)

	mu   sync.Mutex
	idle []string // empty session cgroups, ready for the next session
}

// openCgroupTree creates the server's cgroup below its own one in the v2
// hierarchy: the place a systemd unit with Delegate=yes may write to, and
// anywhere for root. First it removes what killed servers left there.
func openCgroupTree(log *slog.Logger) (*cgroupTree, error) {
	own, err := ownCgroupDir()
	if err != nil {
		return nil, err
	}
	sweepDeadServerCgroups(own, os.Getpid()).log(log)
	dir := filepath.Join(own, serverCgroupPrefix+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	t := &cgroupTree{dir: dir}
	_, err = os.Stat(filepath.Join(dir, "cgroup.kill"))
	t.hasKill = err == nil
	if err := t.probe(); err != nil {
		os.Remove(dir)
		return nil, err
	}
	return t, nil
}

// probe proves that a child can be started right into a session cgroup:
// creating the directory is not enough, clone3 also needs write access to
// cgroup.procs of the common ancestor. It starts a program that cannot
// exist (cgroupfs holds no such file): ENOENT comes from exec, so the
// clone into the cgroup worked; any other error comes from clone3.
func (t *cgroupTree) probe() error {
	dir, fd, err := t.newSession()
	if err != nil {
		return err
	}
	defer t.remove(dir)
	defer unix.Close(fd)
	attr := &os.ProcAttr{Sys: &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}}
	_, err = os.StartProcess(filepath.Join(dir, "no-such-program"), nil, attr)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("starting a process in %s: %w", dir, err)
}

// newSession takes an idle session cgroup, or creates one, and opens it
// for SysProcAttr.CgroupFD.
func (t *cgroupTree) newSession() (dir string, fd int, err error) {
	dir = t.takeIdle()
	if dir == "" {
		dir = filepath.Join(t.dir, "s"+strconv.FormatUint(t.next.Add(1), 10))
		if err := unix.Mkdir(dir, 0o755); err != nil {
			return "", -1, &os.PathError{Op: "mkdir", Path: dir, Err: err}
		}
	}
	fd, err = unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Rmdir(dir)
		return "", -1, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return dir, fd, nil
}

func (t *cgroupTree) takeIdle() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.idle)
	if n == 0 {
		return ""
	}
	dir := t.idle[n-1]
	t.idle = t.idle[:n-1]
	return dir
}

// release ends a session's cgroup. Only a cgroup whose processes all
// ended by themselves is kept for another session: one that had to be
// killed is removed. The kernel counts cgroup.kill writes (kill_seq) and
// SIGKILLs at birth a child cloned right into a cgroup that was ever
// killed, so reusing it would kill the next user's process (seen on 6.18,
// TestNextSessionSurvivesTheKillOfTheLast); and freezeAndKill leaves the
// cgroup frozen. A session whose tree ends with it costs no kill.
func (t *cgroupTree) release(dir string) error {
	populated, err := cgroupIsPopulated(dir)
	if err != nil {
		return err
	}
	if populated {
		return t.remove(dir)
	}
	t.mu.Lock()
	if len(t.idle) < maxIdleCgroups {
		t.idle = append(t.idle, dir)
		t.mu.Unlock()
		return nil
	}
	t.mu.Unlock()
	return t.remove(dir)
}

// empty kills every process in the cgroup and waits until they are gone.
// When the session's tree ended by itself, one read says so.
func (t *cgroupTree) empty(dir string) error {
	populated, err := cgroupIsPopulated(dir)
	if err != nil || !populated {
		return err
	}
	if err := t.kill(dir); err != nil {
		return err
	}
	return awaitCgroupEmpty(dir, cgroupEmptyTimeout)
}

// remove kills whatever still runs in a session's cgroup and removes it.
func (t *cgroupTree) remove(dir string) error {
	err := unix.Rmdir(dir)
	if err != unix.EBUSY {
		return ignoreGone(err)
	}
	if err := t.empty(dir); err != nil {
		return err
	}
	return ignoreGone(unix.Rmdir(dir))
}

func ignoreGone(err error) error {
	if err == nil || err == unix.ENOENT {
		return nil
	}
	return err
}

// kill sends SIGKILL to every process in the cgroup, without waiting.
func (t *cgroupTree) kill(dir string) error {
	if t.hasKill {
		return ignoreGone(writeCgroupFile(dir, "cgroup.kill", "1"))
	}
	return freezeAndKill(dir)
}

// freezeAndKill is cgroup.kill for kernels before 5.14: frozen, the
// processes cannot fork while their pids are read and killed (a frozen
// task still dies of SIGKILL in cgroup v2). Without a freezer (before
// 5.2) the rounds of killing still catch a tree that forks.
func freezeAndKill(dir string) error {
	writeCgroupFile(dir, "cgroup.freeze", "1")
	for round := 0; round < 100; round++ {
		pids, err := cgroupPids(dir)
		if err != nil || len(pids) == 0 {
			return ignoreGone(err)
		}
		for _, pid := range pids {
			unix.Kill(pid, unix.SIGKILL)
		}
		if awaitCgroupEmpty(dir, 10*time.Millisecond) == nil {
			return nil
		}
	}
	return fmt.Errorf("%s: processes keep appearing", dir)
}

// close ends every session cgroup left and removes the server's own.
func (t *cgroupTree) close() error {
	entries, _ := os.ReadDir(t.dir)
	var errs []error
	for _, e := range entries {
		if e.IsDir() {
			errs = append(errs, t.remove(filepath.Join(t.dir, e.Name())))
		}
	}
	errs = append(errs, ignoreGone(unix.Rmdir(t.dir)))
	return errors.Join(errs...)
}

func writeCgroupFile(dir, name, value string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(value), 0)
}

func cgroupPids(dir string) ([]int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, field := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(field); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// awaitCgroupEmpty waits until no live process is left in the cgroup.
// cgroup.events signals every change of "populated" as POLLPRI, so this
// sleeps in poll rather than spinning.
func awaitCgroupEmpty(dir string, timeout time.Duration) error {
	path := filepath.Join(dir, "cgroup.events")
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return ignoreGone(err)
	}
	defer unix.Close(fd)
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 256)
	for {
		n, err := unix.Pread(fd, buf, 0)
		if err != nil {
			return &os.PathError{Op: "read", Path: path, Err: err}
		}
		if !cgroupPopulated(buf[:n]) {
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%s: processes still running %v after SIGKILL", dir, timeout)
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLPRI}}
		if _, err := unix.Poll(fds, int(left/time.Millisecond)+1); err != nil && err != unix.EINTR {
			return err
		}
	}
}

// cgroupIsPopulated reports whether a live process is in the cgroup.
func cgroupIsPopulated(dir string) (bool, error) {
	path := filepath.Join(dir, "cgroup.events")
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, ignoreGone(err)
	}
	defer unix.Close(fd)
	var buf [256]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return false, &os.PathError{Op: "read", Path: path, Err: err}
	}
	return cgroupPopulated(buf[:n]), nil
}

// cgroupPopulated reads the "populated" key of a cgroup.events file.
func cgroupPopulated(events []byte) bool {
	for line := range bytes.Lines(events) {
		if value, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("populated ")); ok {
			return string(value) != "0"
		}
	}
	return false
}

// ownCgroupDir is the directory of this process's cgroup in the v2
// hierarchy, wherever that is mounted (/sys/fs/cgroup on a pure v2
// system, /sys/fs/cgroup/unified in hybrid mode, anywhere in a container).
func ownCgroupDir() (string, error) {
	mounts, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	defer mounts.Close()
	root, mountPoint, err := cgroup2Mount(mounts)
	if err != nil {
		return "", err
	}
	membership, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	path, err := unifiedCgroupPath(membership)
	if err != nil {
		return "", err
	}
	return joinCgroupPath(mountPoint, root, path)
}

// cgroup2Mount finds the first cgroup2 mount in mountinfo(5) text: the
// root of the hierarchy it shows, and where it is mounted.
func cgroup2Mount(mountinfo io.Reader) (root, mountPoint string, err error) {
	scanner := bufio.NewScanner(mountinfo)
	for scanner.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
		fields := strings.Fields(scanner.Text())
		dash := -1
		for i, f := range fields {
			if f == "-" {
				dash = i
				break
			}
		}
		if dash < 5 || dash+1 >= len(fields) || fields[dash+1] != "cgroup2" {
			continue
		}
		return unescapeMountField(fields[3]), unescapeMountField(fields[4]), nil
	}
	if err := scanner.Err(); err != nil {
		return "", "", err
	}
	return "", "", errors.New("no cgroup v2 hierarchy is mounted")
}

// unescapeMountField undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountField(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unifiedCgroupPath reads the v2 line ("0::/path") of /proc/self/cgroup.
func unifiedCgroupPath(membership []byte) (string, error) {
	for line := range strings.Lines(string(membership)) {
		if path, ok := strings.CutPrefix(strings.TrimSpace(line), "0::"); ok {
			return path, nil
		}
	}
	return "", errors.New("not a member of any cgroup v2 hierarchy")
}

// joinCgroupPath places a cgroup path in the file system, given a mount
// that shows the hierarchy from root on.
func joinCgroupPath(mountPoint, root, path string) (string, error) {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("own cgroup %s is outside the mounted hierarchy (%s)", path, root)
	}
	return filepath.Join(mountPoint, rel), nil
}
