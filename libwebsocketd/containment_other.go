//go:build !linux

package libwebsocketd

import (
	"log/slog"
	"os/exec"
)

// cell stands for a session's containment, which outside Linux is the
// stop sequence's process group kill alone (see containment_linux.go).
type cell struct{}

func initContainment(*slog.Logger)     {}
func contain(*exec.Cmd) *cell          { return nil }
func (*cell) started(*exec.Cmd, error) {}
func (*cell) end()                     {}
func (*cell) kill()                    {}
func endContainment()                  {}
