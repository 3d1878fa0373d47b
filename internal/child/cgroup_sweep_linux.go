package child

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// serverCgroupPrefix names the cgroup a server makes for its sessions,
// followed by the server's PID.
const serverCgroupPrefix = "websocketd-"

// cgroupSweep is what sweepDeadServerCgroups found below one parent.
type cgroupSweep struct {
	removed int      // trees of dead servers removed
	running []string // trees of dead servers that still hold processes
	skipped string   // why nothing was looked at, if so
	errs    []error
}

// sweepDeadServerCgroups removes the cgroup trees that websocketd servers
// killed with SIGKILL (OOM killer, systemctl kill, a crash) left below
// parent, the cgroup a new server is about to make its own in. Only a
// tree whose PID has no process here is a dead server's, and only an
// empty one is removed: the sessions of a killed server may still run,
// and those are for the operator to see, not for a new server to kill.
// A PID that now names another process counts as live. self is this
// server's PID: a tree under its name is a former holder's.
func sweepDeadServerCgroups(parent string, self int) cgroupSweep {
	var sweep cgroupSweep
	entries, err := os.ReadDir(parent)
	if err != nil {
		sweep.errs = append(sweep.errs, err)
		return sweep
	}
	checkedNamespaces := false
	for _, e := range entries {
		pid, ok := serverCgroupPid(e.Name())
		if !ok || !e.IsDir() || (pid != self && pidExists(pid)) {
			continue
		}
		if !checkedNamespaces {
			if why := foreignPidNamespace(parent); why != "" {
				sweep.skipped = why
				return sweep
			}
			checkedNamespaces = true
		}
		sweep.sweepOne(filepath.Join(parent, e.Name()), pid, self)
	}
	return sweep
}

// sweepOne removes one dead server's tree, unless it holds processes.
func (sweep *cgroupSweep) sweepOne(dir string, pid, self int) {
	populated, err := cgroupIsPopulated(dir)
	switch {
	case err != nil:
		sweep.errs = append(sweep.errs, err)
	case populated:
		sweep.running = append(sweep.running, dir)
	default:
		// A server that got the PID since the first look is making this
		// tree its own: leave it. (Narrows the window; rmdir keeps any
		// cgroup that holds a process whatever happens.)
		if pid != self && pidExists(pid) {
			return
		}
		if err := removeCgroupTree(dir); err != nil {
			sweep.errs = append(sweep.errs, err)
		} else {
			sweep.removed++
		}
	}
}

// serverCgroupPid reads the PID of a cgroup named websocketd-PID, as the
// server names it: a positive decimal number without leading zeros.
func serverCgroupPid(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, serverCgroupPrefix)
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	if err != nil || pid <= 0 || strconv.Itoa(pid) != digits {
		return 0, false
	}
	return pid, true
}

// pidExists reports whether pid names a process, a zombie included; a
// process of another user (EPERM) exists too.
func pidExists(pid int) bool {
	return unix.Kill(pid, 0) != unix.ESRCH
}

// foreignPidNamespace says why the PIDs in the names below parent cannot
// be trusted, or "" when they can: a server in another PID namespace
// named its tree with a PID that means nothing here, so when parent holds
// a process of another namespace, or one this namespace cannot see (it
// shows as 0 in cgroup.procs), a live server's tree could look dead.
// NSpid in /proc/PID/status lists a process's PIDs from the namespace of
// /proc down to its own: one PID means it lives in that namespace. (Its
// ns/pid link would say so too, but reading it needs ptrace rights, which
// root in a container lacks for processes it did not start.)
func foreignPidNamespace(parent string) string {
	if !inProcNamespace("self") {
		return "/proc shows another PID namespace than this server's"
	}
	pids, err := cgroupPids(parent)
	if err != nil {
		return err.Error()
	}
	for _, pid := range pids {
		if pid == 0 || !inProcNamespace(strconv.Itoa(pid)) {
			return "the cgroup holds processes of another PID namespace"
		}
	}
	return ""
}

// inProcNamespace reports whether process proc (a PID or "self") lives in
// the PID namespace that /proc shows; one that has ended by now does not
// matter, so it counts as living there.
func inProcNamespace(proc string) bool {
	status, err := os.ReadFile("/proc/" + proc + "/status")
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH) {
		return true
	}
	depth, ok := nspidDepth(status)
	return err == nil && ok && depth == 1
}

// nspidDepth counts the PIDs on the NSpid line of a /proc/PID/status.
func nspidDepth(status []byte) (int, bool) {
	for line := range strings.Lines(string(status)) {
		if pids, ok := strings.CutPrefix(line, "NSpid:"); ok {
			n := len(strings.Fields(pids))
			return n, n > 0
		}
	}
	return 0, false
}

// removeCgroupTree removes an empty cgroup and its descendants, deepest
// first. rmdir refuses a cgroup that holds a process (EBUSY), so nothing
// that runs is lost, whatever moved in since it was found empty.
func removeCgroupTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := removeCgroupTree(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	if err := ignoreGone(unix.Rmdir(dir)); err != nil {
		return &os.PathError{Op: "rmdir", Path: dir, Err: err}
	}
	return nil
}

// log says what the sweep did; nothing when it found nothing.
func (sweep cgroupSweep) log(log *slog.Logger) {
	if sweep.skipped != "" {
		log.Debug("not removing the cgroups of killed servers", "category", "server", "reason", sweep.skipped)
	}
	if sweep.removed > 0 {
		log.Info("removed the empty cgroups that killed servers left behind", "category", "server", "count", sweep.removed)
	}
	for _, dir := range sweep.running {
		log.Info("a killed server's sessions still run; left alone", "category", "server", "cgroup", dir)
	}
	if len(sweep.errs) > 0 {
		log.Error("cannot remove the cgroups that killed servers left behind", "category", "server",
			"failed", len(sweep.errs), "error", errors.Join(sweep.errs...))
	}
}
