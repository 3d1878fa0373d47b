package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// probeBreak starts a copy of itself in a new process group, as websocketd
// starts a child, and reports whether CTRL_BREAK_EVENT can be sent to it
// from here: Wine cannot always deliver console events.
func probeBreak() {
	target := exec.Command(os.Args[0], "hang", "probe")
	target.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
	if err := target.Start(); err != nil {
		fmt.Println("cannot start:", err)
		return
	}
	defer target.Process.Kill()
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(target.Process.Pid)); err != nil {
		fmt.Println("GenerateConsoleCtrlEvent:", err)
		return
	}
	fmt.Println("ok")
}
