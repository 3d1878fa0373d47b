//go:build !linux

package child

import (
	"os"
	"os/exec"
)

// waitHandle keeps the child's command and handle, which reap waits
// through: on Windows the wait needs the handle (a pid may name another
// process once the handle is closed), and on the other systems Go holds
// no descriptor for a child.
func waitHandle(cmd *exec.Cmd) *exec.Cmd { return cmd }

// reap waits for the child, and says how it ended.
func reap(cmd *exec.Cmd, _ int) *os.ProcessState {
	cmd.Wait()
	return cmd.ProcessState
}
