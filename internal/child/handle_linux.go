package child

import (
	"os"
	"os/exec"
)

// waitHandle lets go of the pidfd that Go (1.23 on) keeps open for a
// child it started, until the child is reaped: a fifth descriptor for
// each session, beside the socket and the three pipes. The session does
// not need it: the stop sequence signals the child's group by its id,
// and a child that is not reaped yet keeps its pid, which then names no
// other process. cmd.Process forgets the pid then: the caller keeps it.
// Nothing of cmd is needed to reap the child (reap), so none is kept.
func waitHandle(cmd *exec.Cmd) *exec.Cmd {
	cmd.Process.Release()
	return nil
}

// reap waits for the child pid, whose handle was released, and says how
// it ended. The wait alone takes a pidfd (os.FindProcess), for as long as it
// lasts: once the child's output is over, it is mostly at its end.
func reap(_ *exec.Cmd, pid int) *os.ProcessState {
	proc, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	state, _ := proc.Wait()
	return state
}
