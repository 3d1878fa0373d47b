//go:build !linux

package libwebsocketd

import (
	"log/slog"
	"os/exec"
)

// childContainment stands for what holds a session's child, which outside
// Linux is the stop sequence's process group kill alone (see
// containment_linux.go).
type childContainment struct{}

func initContainment(*slog.Logger)                 {}
func contain(*exec.Cmd) *childContainment          { return nil }
func (*childContainment) started(*exec.Cmd, error) {}
func (*childContainment) end()                     {}
func (*childContainment) kill()                    {}
func endContainment()                              {}
