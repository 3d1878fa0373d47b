package child

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// BaseStopGrace is how long each step of the stop sequence waits for the
// child to exit before the next, harder step; --closems adds to it.
const BaseStopGrace = 100 * time.Millisecond

// Command is a child to start: what runs, where, and how it is stopped.
type Command struct {
	Argv  []string      // the program and its arguments, never run through a shell
	Env   []string      // exactly the child's environment
	Dir   string        // its working directory; "" for the server's
	Grace time.Duration // how long each step of the stop sequence waits
	TTY   TTY           // how its standard streams are wired (streams.go)
	// OnStopStep counts each step of the stop sequence as it is taken
	// (stdin_closed, then those of the system: see stopSteps); nil: none.
	OnStopStep func(step string)
}

// Process is one child, started in a group of its own (a process group on
// Unix, a Job Object on Windows: see processGroup) so that the whole
// group, grandchildren included, can be stopped and nothing it started
// outlives it; on Linux a cgroup and the server's subreaper hold it too
// (containment_linux.go).
type Process struct {
	// cmd is what reaping the child needs of its exec.Cmd, where it needs
	// it (waitHandle): nil on Linux, where a session need not keep the
	// command (~0.5 KB with its SysProcAttr) for its whole life.
	cmd    *exec.Cmd
	args   []string // the command line, as started
	pid    int      // cmd.Process's, which forgets it once its handle is released
	group  *processGroup
	stdin  *os.File // our end of the child's stdin
	stdout *os.File // our end of the child's stdout
	stderr *os.File // our end of the child's stderr; its reader closes it
	grace  time.Duration
	// containment is the child's cgroup and reaper entry (containment_*.go).
	containment *childContainment
	// terminal is the master of the child's controlling terminal with
	// --terminal (then stdin and stdout too); nil otherwise.
	terminal *os.File

	exited   chan struct{} // closed once the child is reaped
	stopOnce sync.Once
	// closeOutput closes our end of stdout so that its reader learns of
	// it: stop's last step when the group is dead but stdout is still
	// open, and with --terminal the hang-up. nil closes stdout, which ends
	// a read waiting on it; a reader that no goroutine waits on sets its
	// own (OnCloseOutput). Under outputMu: Kill may run while the reader
	// is being set up.
	outputMu    sync.Mutex
	closeOutput func()
	// reached counts each step of the stop sequence taken; may be nil.
	reached func(step string)
}

// Start starts c's program with its standard streams wired as c.TTY says.
func Start(c Command) (*Process, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("no command")
	}
	streams, err := openStreams(c.TTY)
	if err != nil {
		return nil, err
	}
	cmd, err := newCommand(c.Argv, streams.attr)
	if err != nil {
		closeFiles(streams.ours[:])
		closeFiles(streams.theirs[:])
		return nil, err
	}
	cmd.Env, cmd.Dir = c.Env, c.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = streams.theirs[0], streams.theirs[1], streams.theirs[2]
	confined := contain(cmd)
	err = cmd.Start()
	confined.started(cmd, err)
	closeFiles(streams.theirs[:]) // the child holds its own copies now
	if err != nil {
		closeFiles(streams.ours[:])
		return nil, err
	}
	group, err := containProcess(cmd)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		confined.end()
		closeFiles(streams.ours[:])
		return nil, fmt.Errorf("containing the process: %w", err)
	}
	cmd.Env = nil // the child has its copy; a session need not keep one (~1 KB)
	pid := cmd.Process.Pid
	return &Process{cmd: waitHandle(cmd), args: cmd.Args, pid: pid, group: group, stdin: streams.ours[0], stdout: streams.ours[1], stderr: streams.ours[2],
		terminal: streams.terminal, grace: c.Grace, containment: confined, reached: c.OnStopStep,
		exited: make(chan struct{})}, nil
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.pid }

// Args is the child's command line, as started.
func (p *Process) Args() []string { return p.args }

// Stdin is our end of the child's stdin (with --terminal, the terminal's
// master).
func (p *Process) Stdin() *os.File { return p.stdin }

// Stdout is our end of the child's stdout (with --pty or --terminal, the
// terminal's master), read until its end.
func (p *Process) Stdout() *os.File { return p.stdout }

// Stderr is our end of the child's stderr, or nil when it has none of its
// own (--terminal). Whoever reads it closes it at its end.
func (p *Process) Stderr() *os.File { return p.stderr }

// Terminal is the master of the child's controlling terminal with
// --terminal, else nil.
func (p *Process) Terminal() *os.File { return p.terminal }

// OnCloseOutput sets how the child's stdout is closed under its reader:
// what Stop does last when the child is gone but someone else still holds
// its stdout open, and how a terminal is hung up (its master is stdout
// too). It must end the reading.
func (p *Process) OnCloseOutput(closeOutput func()) {
	p.outputMu.Lock()
	p.closeOutput = closeOutput
	p.outputMu.Unlock()
}

// Wait reaps the child once its output is drained, then kills what is left
// of its group: a background job of the script must not outlive it. Only
// the stdout reader calls it, after stdout reached EOF, because
// exec.Cmd.Wait must not race the reads of the pipes.
func (p *Process) Wait() *os.ProcessState {
	state := reap(p.cmd, p.pid)
	p.group.killAll()
	if p.terminal != nil {
		killSession(p.Pid()) // jobs in groups of their own (sessionkill_linux.go)
	}
	p.containment.end() // the rest of the tree, escaped from the group or not
	p.group.release()
	p.stdin.Close()
	// stderr is not closed here: its reader drains it to its end (or
	// gives up, see awaitStderr) and closes it, so no last line is lost.
	// stdout is at its end by now. Closed here, not by the garbage
	// collector's finalizer, or every session that ended would hold a
	// descriptor until the next collection (found by the descriptor tests).
	p.stdout.Close()
	close(p.exited)
	return state
}

// Stop ends the child the gentle way first: close its stdin, then the
// group's stop steps (on Unix SIGINT, SIGTERM and SIGKILL), each after a
// grace period. It returns once the child is reaped (by Wait). Safe to
// call more than once and from any goroutine.
func (p *Process) Stop() {
	p.stopOnce.Do(func() {
		p.closeStdin()
		p.reach("stdin_closed")
		for _, step := range p.group.stopSteps() {
			if p.exitedWithin(p.grace) {
				return
			}
			p.reach(step.name)
			step.take()
		}
		if !p.exitedWithin(p.grace) {
			// Killed but stdout is still open: someone outside the group
			// holds it. Closing our end ends the stdout side, which reaps.
			p.closeStdout()
		}
	})
	<-p.exited
}

// closeStdin closes the child's stdin. With --terminal that is the
// master of its terminal, which is stdout as well: closing it hangs the
// terminal up (the kernel sends SIGHUP to the child, its session leader)
// and ends the output, whose side alone reaps the child. So it is closed
// the way that side learns of it. Closed behind its back, a master that
// the watcher waits on leaves the epoll set without a word, no reader
// comes, and the child, gone on SIGHUP, stays a zombie until the stop
// sequence's last step (with --closems, minutes later).
func (p *Process) closeStdin() {
	if p.terminal != nil {
		p.closeStdout()
		return
	}
	p.stdin.Close()
}

// closeStdout closes our end of stdout so that its reader ends.
func (p *Process) closeStdout() {
	p.outputMu.Lock()
	closeOutput := p.closeOutput
	p.outputMu.Unlock()
	if closeOutput != nil {
		closeOutput()
	} else {
		p.stdout.Close()
	}
}

func (p *Process) exitedWithin(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-p.exited:
		return true
	case <-timer.C:
		return false
	}
}

// Kill ends the whole group at once, for a server that cannot wait.
func (p *Process) Kill() {
	p.group.killAll()
	p.containment.kill()
	p.closeStdin()
}

// stopStep is one step of the stop sequence after stdin is closed: its
// name (for --metrics) and what it does.
type stopStep struct {
	name string
	take func()
}

// reach counts a step of the stop sequence as it is taken.
func (p *Process) reach(step string) {
	if p.reached != nil {
		p.reached(step)
	}
}

// SignalName names a signal as the stop steps do (SIGINT, SIGTERM,
// SIGKILL, else "signal N"), for whoever counts how children ended.
func SignalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	}
	return "signal " + strconv.Itoa(int(sig))
}
