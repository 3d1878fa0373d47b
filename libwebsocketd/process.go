package libwebsocketd

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

// baseStopGrace is how long each step of the stop sequence waits for the
// child to exit before the next, harder step; --closems adds to it.
const baseStopGrace = 100 * time.Millisecond

// process is the program end of a session: one child, started in a group
// of its own (a process group on Unix, a Job Object on Windows: see
// processGroup) so that the whole group, grandchildren included, can be
// stopped and nothing it started outlives the session.
type process struct {
	cmd    *exec.Cmd
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
	// a read waiting on it; a session whose stdout no goroutine waits on
	// sets its own (output.go). Under outputMu: kill may run while the
	// session is being set up.
	outputMu    sync.Mutex
	closeOutput func()
	// reached counts each step of the stop sequence taken; nil without
	// --metrics.
	reached func(step string)
}

// startProcess starts argv (never through a shell) with exactly env, its
// standard streams wired as tty says (streams.go).
func startProcess(argv, env []string, dir string, grace time.Duration, tty ttySpec) (*process, error) {
	if len(argv) == 0 {
		return nil, errors.New("no command")
	}
	streams, err := openStreams(tty)
	if err != nil {
		return nil, err
	}
	cmd, err := newCommand(argv, streams.attr)
	if err != nil {
		closeFiles(streams.ours[:])
		closeFiles(streams.theirs[:])
		return nil, err
	}
	cmd.Env, cmd.Dir = env, dir
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
	return &process{cmd: cmd, group: group, stdin: streams.ours[0], stdout: streams.ours[1], stderr: streams.ours[2],
		terminal: streams.terminal, grace: grace, containment: confined, exited: make(chan struct{})}, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// wait reaps the child once its output is drained, then kills what is left
// of its group: a background job of the script must not outlive it. Only
// the stdout pump calls it, after stdout reached EOF, because exec.Cmd.Wait
// must not race the reads of the pipes.
func (p *process) wait() *os.ProcessState {
	p.cmd.Wait()
	p.group.killAll()
	if p.terminal != nil {
		killSession(p.pid()) // jobs in groups of their own (sessionkill_linux.go)
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
	return p.cmd.ProcessState
}

// stop ends the child the gentle way first: close its stdin, then the
// group's stop steps (on Unix SIGINT, SIGTERM and SIGKILL), each after a
// grace period. It returns once the child is reaped. Safe to call more
// than once and from any goroutine.
func (p *process) stop() {
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
func (p *process) closeStdin() {
	if p.terminal != nil {
		p.closeStdout()
		return
	}
	p.stdin.Close()
}

// closeStdout closes our end of stdout so that its reader ends.
func (p *process) closeStdout() {
	p.outputMu.Lock()
	closeOutput := p.closeOutput
	p.outputMu.Unlock()
	if closeOutput != nil {
		closeOutput()
	} else {
		p.stdout.Close()
	}
}

func (p *process) exitedWithin(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-p.exited:
		return true
	case <-timer.C:
		return false
	}
}

// exitCloseCode maps how the child ended to the close frame that ends the
// socket: 1000 for a clean exit, 1011 with the status as the reason.
func exitCloseCode(state *os.ProcessState) (int, string) {
	if state != nil && state.Success() {
		return 1000, ""
	}
	if state == nil {
		return 1011, "process status unknown"
	}
	return 1011, state.String()
}

// kill ends the whole group at once, for a server that cannot wait.
func (p *process) kill() {
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

// reach counts a step of the stop sequence as it is taken (--metrics).
func (p *process) reach(step string) {
	if p.reached != nil {
		p.reached(step)
	}
}

// signalName names a signal as the stop steps and the exit metrics do.
func signalName(sig syscall.Signal) string {
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
