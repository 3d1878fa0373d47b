//go:build unix

package libwebsocketd

import (
	"os/exec"
	"syscall"
)

// processGroup is the child's process group: its pid is the group's id, so
// a signal to the negative pid reaches the child and all it started.
type processGroup struct{ pgid int }

// newCommand runs argv (never through a shell) in a process group of its
// own.
func newCommand(argv []string) (*exec.Cmd, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd, nil
}

// containProcess needs no step after the start on Unix: Setpgid did it.
func containProcess(cmd *exec.Cmd) (*processGroup, error) {
	return &processGroup{pgid: cmd.Process.Pid}, nil
}

// stopSteps are SIGINT, SIGTERM and SIGKILL to the group.
func (g *processGroup) stopSteps() []func() {
	return []func(){
		func() { g.signal(syscall.SIGINT) },
		func() { g.signal(syscall.SIGTERM) },
		g.killAll,
	}
}

func (g *processGroup) killAll() { g.signal(syscall.SIGKILL) }

// release has nothing to free on Unix.
func (g *processGroup) release() {}

func (g *processGroup) signal(sig syscall.Signal) {
	// A negative pid addresses the group; ESRCH once it is gone is fine.
	syscall.Kill(-g.pgid, sig)
}
