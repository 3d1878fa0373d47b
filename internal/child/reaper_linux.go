package child

import (
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// reaper makes the server the child subreaper of everything it starts: a
// descendant whose parent dies is reparented to the server instead of to
// init, so the server can reap it (no zombie is left) and kill it when it
// exits. It must never reap a child that an exec.Cmd waits for, or that
// Cmd's Wait would fail and the session's exit status be lost.
type reaper struct {
	// starting is held for reading while a session's child is started and
	// registered as owned, and for writing while orphans are reaped: a
	// child that exits before Start has returned its pid is not an orphan.
	starting sync.RWMutex

	mu       sync.Mutex
	owned    map[int]struct{} // children whose exec.Cmd reaps them
	blocking int              // an owned child waitid last reported exited

	signals chan os.Signal
}

func startReaper() (*reaper, error) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return nil, os.NewSyscallError("prctl(PR_SET_CHILD_SUBREAPER)", err)
	}
	r := &reaper{owned: map[int]struct{}{}, signals: make(chan os.Signal, 1)}
	signal.Notify(r.signals, syscall.SIGCHLD)
	go func() {
		// SIGCHLDs that arrive together are delivered once (the channel
		// holds one), so each round reaps every dead orphan there is.
		for range r.signals {
			r.reapOrphans()
		}
	}()
	return r, nil
}

func (r *reaper) own(pid int) {
	r.mu.Lock()
	r.owned[pid] = struct{}{}
	r.mu.Unlock()
}

func (r *reaper) disown(pid int) {
	r.mu.Lock()
	delete(r.owned, pid)
	again := r.blocking == pid
	if again {
		r.blocking = 0
	}
	r.mu.Unlock()
	if again {
		select {
		case r.signals <- syscall.SIGCHLD:
		default: // a round is due anyway
		}
	}
}

func (r *reaper) owns(pid int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.owned[pid]
	return ok
}

// reapOrphans reaps every child that has exited and is not owned. The
// children of the CGI host (net/http/cgi) are not registered: reaping one
// of those first only costs its Wait an error that the host ignores.
func (r *reaper) reapOrphans() {
	for last := 0; ; {
		pid := firstExitedChild()
		if pid == 0 || pid == last || r.ownsExited(pid) {
			return // none, or one that would not be reaped, or owned
		}
		// Not owned, but it may be a child being started: the write lock
		// waits until every start under way has registered its child.
		r.starting.Lock()
		if !r.owns(pid) {
			unix.Wait4(pid, nil, unix.WNOHANG, nil)
		}
		r.starting.Unlock()
		last = pid
	}
}

// ownsExited reports whether pid, a child that has exited, is owned. If
// so it may hide exited orphans from waitid until its exec.Cmd reaps it;
// disown then starts another round.
func (r *reaper) ownsExited(pid int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.owned[pid]
	if ok {
		r.blocking = pid
	}
	return ok
}

// killOrphans kills and reaps every child not owned, for a server that is
// exiting; their children, reparented to the server as they die, are
// taken in the next round.
func (r *reaper) killOrphans() {
	r.starting.Lock()
	defer r.starting.Unlock()
	for round := 0; round < 100; round++ {
		var orphans []int
		for _, pid := range childPids() {
			if !r.owns(pid) {
				orphans = append(orphans, pid)
			}
		}
		if len(orphans) == 0 {
			return
		}
		for _, pid := range orphans {
			unix.Kill(pid, unix.SIGKILL)
		}
		for _, pid := range orphans {
			unix.Wait4(pid, nil, 0, nil)
		}
	}
}

// waitidInfo is siginfo_t as far as waitid(2) fills it in: x/sys/unix
// does not show si_pid.
type waitidInfo struct {
	signo, errno, code, _ int32
	pid, uid              int32
	_                     [104]byte
}

// firstExitedChild returns a child that has exited (a zombie), without
// reaping it (WNOWAIT), or 0 when there is none.
func firstExitedChild() int {
	var info waitidInfo
	_, _, errno := unix.Syscall6(unix.SYS_WAITID, unix.P_ALL, 0, uintptr(unsafe.Pointer(&info)),
		unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, 0, 0)
	if errno != 0 {
		return 0
	}
	return int(info.pid)
}

// childPids lists the server's children, for the kill at exit. A child's
// parent is the thread that forked it, so every thread's list is read;
// each in one read, as the kernel builds the list anew for every read.
func childPids() []int {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	buf := make([]byte, 64<<10)
	var pids []int
	for _, task := range tasks {
		fd, err := unix.Open("/proc/self/task/"+task.Name()+"/children", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue // the thread has exited
		}
		n, _ := unix.Read(fd, buf)
		unix.Close(fd)
		pids = appendPids(pids, buf[:max(n, 0)])
	}
	return pids
}

// appendPids parses a space-separated list of pids.
func appendPids(pids []int, list []byte) []int {
	start := -1
	for i := 0; i <= len(list); i++ {
		if i < len(list) && list[i] >= '0' && list[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if pid, err := strconv.Atoi(string(list[start:i])); err == nil {
				pids = append(pids, pid)
			}
			start = -1
		}
	}
	return pids
}
