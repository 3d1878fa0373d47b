//go:build !linux

package child

import (
	"os"
	"os/exec"
)

// releaseHandle keeps the child's handle: on Windows the wait needs it
// (a pid may name another process once the handle is closed), and on the
// other systems Go holds no descriptor for a child.
func releaseHandle(*exec.Cmd) {}

// reap waits for the child, and says how it ended.
func reap(cmd *exec.Cmd, _ int) *os.ProcessState {
	cmd.Wait()
	return cmd.ProcessState
}
