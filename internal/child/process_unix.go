//go:build unix

package child

import (
	"os/exec"
	"syscall"
)

// processGroup is the child's process group: its pid is the group's id, so
// a signal to the negative pid reaches the child and all it started.
type processGroup struct{ pgid int }

// groupProcAttr starts a child in a process group of its own.
func groupProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// newCommand runs argv (never through a shell) with attr.
func newCommand(argv []string, attr *syscall.SysProcAttr) (*exec.Cmd, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = attr
	return cmd, nil
}

// containProcess needs no step after the start on Unix: Setpgid did it.
func containProcess(cmd *exec.Cmd) (*processGroup, error) {
	return &processGroup{pgid: cmd.Process.Pid}, nil
}

// stopSteps are SIGINT, SIGTERM and SIGKILL to the group.
func (g *processGroup) stopSteps() []stopStep {
	return []stopStep{
		{SignalName(syscall.SIGINT), func() { g.signal(syscall.SIGINT) }},
		{SignalName(syscall.SIGTERM), func() { g.signal(syscall.SIGTERM) }},
		{SignalName(syscall.SIGKILL), g.killAll},
	}
}

func (g *processGroup) killAll() { g.signal(syscall.SIGKILL) }

// release has nothing to free on Unix.
func (g *processGroup) release() {}

func (g *processGroup) signal(sig syscall.Signal) {
	// A negative pid addresses the group; ESRCH once it is gone is fine.
	syscall.Kill(-g.pgid, sig)
}
