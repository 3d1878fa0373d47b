package child

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// processGroup is the session's Job Object. The child starts suspended, is
// put in the job, and only then runs: so whatever it starts is in the job
// too (a child assigned after it had run could have started a grandchild
// outside). KILL_ON_JOB_CLOSE ends the whole tree when the job's last
// handle closes, even if websocketd itself dies.
type processGroup struct {
	pid uint32
	mu  sync.Mutex // killAll against release
	job windows.Handle
}

// groupProcAttr gives the child a process group of its own (the target of
// CTRL_BREAK_EVENT, and out of reach of the Ctrl-C meant for websocketd)
// and starts it suspended (see containProcess).
func groupProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP | windows.CREATE_SUSPENDED}
}

// newCommand runs argv with attr; a .bat or .cmd file through cmd.exe, with a
// command line quoted for cmd.exe (batchCommandLine), not for a C
// program's argument parser as os/exec would.
func newCommand(argv []string, attr *syscall.SysProcAttr) (*exec.Cmd, error) {
	if WindowsKindOf(argv[0]) != WindowsBatch {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.SysProcAttr = attr
		return cmd, nil
	}
	comspec := CommandInterpreter()
	line, err := batchCommandLine(comspec, argv)
	if err != nil {
		return nil, err
	}
	attr.CmdLine = line
	cmd := exec.Command(comspec)
	cmd.SysProcAttr = attr
	return cmd, nil
}

// CommandInterpreter is cmd.exe, which runs batch files: COMSPEC names
// it, as it does for everything else on Windows.
func CommandInterpreter() string {
	if comspec := os.Getenv("COMSPEC"); comspec != "" {
		return comspec
	}
	return filepath.Join(os.Getenv("SystemRoot"), "System32", "cmd.exe")
}

// containProcess puts the suspended child in a new job, then lets it run.
func containProcess(cmd *exec.Cmd) (*processGroup, error) {
	pid := uint32(cmd.Process.Pid)
	job, err := newKillOnCloseJob()
	if err != nil {
		return nil, err
	}
	if err := assignToJob(job, pid); err != nil {
		windows.CloseHandle(job)
		return nil, err
	}
	if err := resumeProcess(pid); err != nil {
		windows.CloseHandle(job) // ends the child: it is in the job
		return nil, err
	}
	return &processGroup{pid: pid, job: job}, nil
}

func newKillOnCloseJob() (windows.Handle, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return 0, fmt.Errorf("CreateJobObject: %w", err)
	}
	var limits windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	limits.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&limits)), uint32(unsafe.Sizeof(limits))); err != nil {
		windows.CloseHandle(job)
		return 0, fmt.Errorf("SetInformationJobObject: %w", err)
	}
	return job, nil
}

func assignToJob(job windows.Handle, pid uint32) error {
	proc, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, pid)
	if err != nil {
		return fmt.Errorf("OpenProcess: %w", err)
	}
	defer windows.CloseHandle(proc)
	if err := windows.AssignProcessToJobObject(job, proc); err != nil {
		return fmt.Errorf("AssignProcessToJobObject: %w", err)
	}
	return nil
}

// resumeProcess resumes the threads of a process started suspended: os/exec
// does not keep the main thread's handle, so the thread is found by its
// owner in a snapshot of the system's threads.
func resumeProcess(pid uint32) error {
	snapshot, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		return fmt.Errorf("CreateToolhelp32Snapshot: %w", err)
	}
	defer windows.CloseHandle(snapshot)
	entry := windows.ThreadEntry32{Size: uint32(unsafe.Sizeof(windows.ThreadEntry32{}))}
	resumed := 0
	for err = windows.Thread32First(snapshot, &entry); err == nil; err = windows.Thread32Next(snapshot, &entry) {
		if entry.OwnerProcessID != pid {
			continue
		}
		thread, err := windows.OpenThread(windows.THREAD_SUSPEND_RESUME, false, entry.ThreadID)
		if err != nil {
			return fmt.Errorf("OpenThread: %w", err)
		}
		_, err = windows.ResumeThread(thread)
		windows.CloseHandle(thread)
		if err != nil {
			return fmt.Errorf("ResumeThread: %w", err)
		}
		resumed++
	}
	if resumed == 0 {
		return errors.New("no thread of the new process to resume")
	}
	return nil
}

// stopSteps are CTRL_BREAK_EVENT to the child's process group (a console
// program's Ctrl-Break handler, or its default action, ends it), then the
// end of the job.
func (g *processGroup) stopSteps() []stopStep {
	return []stopStep{
		{"CTRL_BREAK", func() { windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, g.pid) }},
		{"job_terminated", g.killAll},
	}
}

// killAll ends every process in the job.
func (g *processGroup) killAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.job != 0 {
		windows.TerminateJobObject(g.job, 1)
	}
}

// release closes the job once the child is reaped (after killAll).
func (g *processGroup) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.job != 0 {
		windows.CloseHandle(g.job)
		g.job = 0
	}
}
