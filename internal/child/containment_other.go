//go:build !linux

package child

import (
	"log/slog"
	"os/exec"
)

// childContainment stands for what holds a session's child, which outside
// Linux is the stop sequence's process group kill alone (see
// containment_linux.go).
type childContainment struct{}

// InitContainment has nothing to set up outside Linux.
func InitContainment(*slog.Logger) {}

// EndContainment has nothing to end outside Linux.
func EndContainment() {}

func contain(*exec.Cmd) *childContainment          { return nil }
func (*childContainment) started(*exec.Cmd, error) {}
func (*childContainment) end()                     {}
func (*childContainment) kill()                    {}
