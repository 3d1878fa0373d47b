package child

import (
	"errors"
	"log/slog"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// containment keeps the processes of a session from outliving it, and
// those of the server from outliving the server, as far as the system
// lets it (see docs/production.md, "Process containment"):
//
//   - a cgroup v2 per session, when the server may create cgroups (root,
//     or a systemd unit with Delegate=yes): every descendant, also one that
//     left the process group (setsid, a double fork), is killed with the
//     session;
//   - the server as child subreaper: an orphaned descendant is reparented
//     to the server, which reaps it and kills it when it exits;
//   - and always the process group kill of the stop sequence.
type containment struct {
	log     *slog.Logger
	cgroups *cgroupTree // nil: sessions get no cgroup of their own
	reaper  *reaper     // nil: the server is not a subreaper
}

var (
	containOnce sync.Once
	contained   atomic.Pointer[containment] // nil until InitContainment
)

// InitContainment sets containment up for the whole server, once, and
// logs which kind is in force; children started before it are held by
// their process group alone.
func InitContainment(log *slog.Logger) {
	containOnce.Do(func() {
		c := &containment{log: log}
		var reaperErr, cgroupErr error
		c.reaper, reaperErr = startReaper()
		c.cgroups, cgroupErr = openCgroupTree(log)
		c.logMode(reaperErr, cgroupErr)
		contained.Store(c)
	})
}

func (c *containment) logMode(reaperErr, cgroupErr error) {
	attrs := []any{"category", "server"}
	var msg string
	switch {
	case c.cgroups != nil:
		msg = "process containment: a cgroup per session, killed with the session"
		attrs = append(attrs, "cgroup", c.cgroups.dir)
	case c.reaper != nil:
		msg = "process containment: a process group per session; orphans are reaped, and killed when the server exits"
	default:
		msg = "process containment: a process group per session only"
	}
	if c.reaper != nil && c.cgroups != nil {
		msg += "; orphans are reaped"
	}
	if cgroupErr != nil {
		attrs = append(attrs, "no_cgroup", cgroupErr.Error())
	}
	if reaperErr != nil {
		attrs = append(attrs, "no_subreaper", reaperErr.Error())
	}
	c.log.Info(msg, attrs...)
}

// childContainment is what holds one session's child and all it starts:
// its cgroup, if it has one, and its place among the children that the
// reaper leaves to their exec.Cmd.
type childContainment struct {
	c   *containment
	dir string // the session's cgroup; "" without one
	fd  int    // dir, open for the clone into it until the child started
	pid int

	// mu orders kill (a shutdown's goroutine) against end (the session's):
	// once end has handed dir back, it may be another session's cgroup.
	mu     sync.Mutex
	killed bool // dir got a cgroup kill: it must not be reused
}

// contain prepares cmd to start in a cgroup of its own. The caller must
// call started right after cmd.Start, whatever it returned.
func contain(cmd *exec.Cmd) *childContainment {
	c := contained.Load()
	if c == nil {
		return nil
	}
	cc := &childContainment{c: c, fd: -1}
	if c.cgroups != nil {
		dir, fd, err := c.cgroups.newSession()
		if err != nil {
			c.log.Error("session without a cgroup of its own", "category", "server", "error", err)
		} else {
			if cmd.SysProcAttr == nil {
				cmd.SysProcAttr = &syscall.SysProcAttr{}
			}
			cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, fd
			cc.dir, cc.fd = dir, fd
		}
	}
	if c.reaper != nil {
		c.reaper.starting.RLock()
	}
	return cc
}

// started registers the child that cmd.Start started, or undoes contain
// when it failed.
func (cc *childContainment) started(cmd *exec.Cmd, err error) {
	if cc == nil {
		return
	}
	if cc.fd >= 0 {
		unix.Close(cc.fd)
		cc.fd = -1
	}
	if r := cc.c.reaper; r != nil {
		if err == nil {
			cc.pid = cmd.Process.Pid
			r.own(cc.pid)
		}
		r.starting.RUnlock()
	}
	if err != nil && cc.dir != "" {
		cc.c.cgroups.remove(cc.dir)
		cc.dir = ""
	}
}

// end kills whatever is left of the session's tree and frees its cgroup
// for another session; it is called once the child has been reaped.
func (cc *childContainment) end() {
	if cc == nil {
		return
	}
	if cc.pid != 0 && cc.c.reaper != nil {
		cc.c.reaper.disown(cc.pid)
	}
	cc.mu.Lock()
	dir, killed := cc.dir, cc.killed
	cc.dir = ""
	cc.mu.Unlock()
	if dir == "" {
		return
	}
	release := cc.c.cgroups.release
	if killed {
		release = cc.c.cgroups.remove
	}
	if err := release(dir); err != nil {
		cc.c.log.Error("cannot end a session's cgroup", "category", "server", "error", err)
	}
}

// kill sends SIGKILL to the session's whole cgroup at once, without
// waiting; end still removes it. After end it does nothing: the cgroup
// may serve another session by then.
func (cc *childContainment) kill() {
	if cc == nil {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.dir != "" {
		cc.c.cgroups.kill(cc.dir)
		cc.killed = true
	}
}

// EndContainment kills what is left of every child and every orphan,
// for a server that is exiting.
func EndContainment() {
	c := contained.Load()
	if c == nil {
		return
	}
	var err error
	if c.cgroups != nil {
		err = c.cgroups.close()
	}
	if c.reaper != nil {
		c.reaper.killOrphans()
	}
	if err != nil && !errors.Is(err, unix.ENOENT) {
		c.log.Error("cannot remove the sessions' cgroups", "category", "server", "error", err)
	}
}
