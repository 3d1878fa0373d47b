//go:build !windows

package test

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// `make run` serves on the 127.0.0.1 address it prints, the index page
// comes with it, and every example the page offers works there, each
// through websocketd with the gorilla client: 40 programs in 10 languages,
// compiled ones included (make run builds them).
func TestMakeRunServesEveryIndexEntry(t *testing.T) {
	needTool(t, "make")
	run := startMakeRun(t, "")
	page, err := os.ReadFile(indexPage)
	if err != nil {
		t.Fatal(err)
	}
	if status, got := httpGet(t, "http://"+run.addr+"/"); status != http.StatusOK || got != string(page) {
		t.Errorf("GET / did not answer the index page: %d\n%.300s", status, got)
	}
	for _, urlPath := range indexEntries(t) {
		t.Run(strings.TrimPrefix(urlPath, "/"), func(t *testing.T) {
			t.Parallel()
			needTool(t, languageOf(t, urlPath).needs)
			checkExample(t, run.addr, urlPath)
		})
	}
}

// ADDRESS= moves `make run` to another interface; 127.0.0.2 is loopback
// too on Linux, yet not the default.
func TestMakeRunAddress(t *testing.T) {
	needTool(t, "make")
	run := startMakeRun(t, "127.0.0.2")
	checkReplies(t, run.addr, "/bash/echo.sh", echoExchanges[:1])
}

// Ctrl-C (SIGINT to make's process group, as a terminal sends it) and a
// SIGTERM to make alone both stop the three servers, and make waits for
// them: nothing is left once it exits. The open connections are ones
// whose programs take a moment to stop: count.sh does not read its input,
// so websocketd closes it and then signals, and a room's cat.
func TestMakeRunStops(t *testing.T) {
	needTool(t, "make")
	for _, sig := range []stopSignal{ctrlC, sigterm} {
		t.Run(sig.name, func(t *testing.T) {
			run := startMakeRun(t, "")
			count := dialExample(t, run.addr, "/bash/count.sh", nil)
			expectText(t, count, "1")
			room := dialExample(t, run.plainAddr, "/chat.sh", nil)
			send(t, room, websocket.TextMessage, "anyone?")
			expectText(t, room, "anyone?")
			run.expectPrograms(t, "count.sh", "cat")
			run.stop(t, sig)
		})
	}
}

// A port of the three in use: make run fails, says which server could not
// start, and leaves none of the others running.
func TestMakeRunFailsWhenARoomPortIsTaken(t *testing.T) {
	needTool(t, "make")
	startOnFreePorts(t, 3, func(port int) bool {
		taken, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+2))
		if err != nil {
			return false
		}
		defer taken.Close()
		run := launchMakeRun(t, "PORT="+strconv.Itoa(port))
		select {
		case <-run.done:
		case <-time.After(makeRunTimeout):
			t.Fatalf("make run still running with port %d taken:\n%s", port+2, run.out)
		}
		out := run.finalOutput(t)
		want := "make run: websocketd on port " + strconv.Itoa(port+2) + " (json-rooms) exited"
		if !strings.Contains(out, want) {
			if strings.Contains(out, "address already in use") {
				return false // another of the ports was taken meanwhile
			}
			t.Fatalf("make run did not say %q:\n%s", want, out)
		}
		if run.cmd.ProcessState.Success() {
			t.Errorf("make run succeeded with port %d taken:\n%s", port+2, run.out)
		}
		checkGroupGone(t, run.cmd.Process.Pid)
		return true
	})
}

// A server stopped from elsewhere (a SIGTERM to it alone, or a Ctrl-C the
// script could not trap) stops the other two, and make run ends without
// an error: nothing failed.
func TestMakeRunEndsQuietlyWhenAServerIsStopped(t *testing.T) {
	needTool(t, "make")
	run := startMakeRun(t, "")
	started := descendants(run.cmd.Process.Pid)
	plain := slices.IndexFunc(started, func(pid int) bool {
		return runs(commandLine(pid), "websocketd") && strings.Contains(commandLine(pid), "--room --dir")
	})
	if plain < 0 {
		t.Fatalf("no plain-rooms websocketd under make run")
	}
	syscall.Kill(started[plain], syscall.SIGTERM)
	select {
	case <-run.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("make run still running 30s after its plain-rooms server stopped\n%s", run.out)
	}
	if out := run.finalOutput(t); !run.cmd.ProcessState.Success() || strings.Contains(out, "exited with status") {
		t.Errorf("make run failed after a server was stopped (%v):\n%s", run.cmd.ProcessState, out)
	}
	for _, pid := range started {
		if alive(pid) {
			t.Errorf("process %d (%s) outlived make run", pid, commandLine(pid))
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	checkGroupGone(t, run.cmd.Process.Pid)
}

// makeRunTimeout bounds `make run` from start to serving: it builds
// websocketd and the compiled examples first.
const makeRunTimeout = 5 * time.Minute

// makeRun is a running `make run` of the repository, the README's command.
type makeRun struct {
	cmd       *exec.Cmd
	out       *syncBuffer
	done      chan struct{} // make exited
	outEnded  chan struct{} // everything that held its output closed it
	addr      string        // host:port of the pages and per-connection examples
	plainAddr string        // host:port of the plain rooms
	jsonAddr  string        // host:port of the JSON rooms
	stopped   bool          // stop ran already
}

// What `make run` prints for the person at the terminal: the page to open,
// and the room servers that rooms.html talks to.
var (
	openLine  = regexp.MustCompile(`open (http://([^ /]+)/) in a browser`)
	roomsLine = regexp.MustCompile(`rooms page's servers: ws://([^ /]+)/ \(plain rooms\), ws://([^ /]+)/ \(JSON rooms\)`)
)

// startMakeRun runs `make run PORT=…` on three consecutive ports picked
// for this test, with ADDRESS=address unless that is empty, and waits
// until its three servers serve there (on 127.0.0.1 without ADDRESS).
func startMakeRun(t *testing.T, address string) *makeRun {
	t.Helper()
	host := "127.0.0.1"
	if address != "" {
		host = address
	}
	var run *makeRun
	startOnFreePorts(t, 3, func(port int) bool {
		vars := []string{"PORT=" + strconv.Itoa(port)}
		if address != "" {
			vars = append(vars, "ADDRESS="+address)
		}
		run = launchMakeRun(t, vars...)
		return run.waitServing(t, host, port)
	})
	return run
}

func launchMakeRun(t *testing.T, vars ...string) *makeRun {
	t.Helper()
	run := &makeRun{out: &syncBuffer{}, done: make(chan struct{}), outEnded: make(chan struct{})}
	run.cmd = exec.Command("make", append([]string{"-C", "..", "--no-print-directory", "run"}, vars...)...)
	// An outer make (make test) passes its jobserver in MAKEFLAGS; ours
	// must not try to use it.
	run.cmd.Env = withoutVars(os.Environ(), "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
	// Our own pipe, copied here: with a plain writer, Wait would also wait
	// for every process holding the pipe, and so never show make exiting
	// before the servers did.
	output, input, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	run.cmd.Stdout, run.cmd.Stderr = input, input
	// Its own process group, as a shell gives a job: Ctrl-C goes to it.
	run.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = run.cmd.Start()
	input.Close()
	if err != nil {
		output.Close()
		t.Fatalf("starting make run: %v", err)
	}
	go func() { io.Copy(run.out, output); output.Close(); close(run.outEnded) }()
	go func() { run.cmd.Wait(); close(run.done) }()
	t.Cleanup(func() { run.stop(t, ctrlC) })
	return run
}

// finalOutput returns what make run wrote, once it has exited and its
// output has ended.
func (run *makeRun) finalOutput(t *testing.T) string {
	t.Helper()
	<-run.done
	select {
	case <-run.outEnded:
	case <-time.After(readTimeout):
		t.Errorf("make run's output still open %v after it exited", readTimeout)
	}
	return run.out.String()
}

// waitServing waits until the three servers say they serve on host at port,
// port+1 and port+2, and checks that make printed those addresses; it
// reports false if make ended as a port was taken.
func (run *makeRun) waitServing(t *testing.T, host string, port int) (served bool) {
	t.Helper()
	var want []string
	for i := range 3 {
		want = append(want, net.JoinHostPort(host, strconv.Itoa(port+i)))
	}
	deadline := time.After(makeRunTimeout)
	for {
		changed := run.out.changed() // before the read, so no line slips by
		if run.servesOn(want) {
			run.checkPrinted(t, want)
			return true
		}
		select {
		case <-changed:
		case <-run.done:
			out := run.finalOutput(t)
			if strings.Contains(out, "address already in use") {
				return false
			}
			t.Fatalf("make run ended before serving: %v\n%s", run.cmd.ProcessState, out)
		case <-deadline:
			t.Fatalf("make run did not serve on %v within %v:\n%s", want, makeRunTimeout, run.out)
		}
	}
}

// servesOn reports whether the output has a serving line for every address.
func (run *makeRun) servesOn(addrs []string) bool {
	var serving []string
	for _, m := range servingLine.FindAllStringSubmatch(run.out.String(), -1) {
		serving = append(serving, m[2])
	}
	for _, addr := range addrs {
		if !slices.Contains(serving, addr) {
			return false
		}
	}
	return true
}

// checkPrinted checks that make printed the page to open on the first
// address and the room servers on the next two, where rooms.html finds
// them, and keeps the three addresses.
func (run *makeRun) checkPrinted(t *testing.T, addrs []string) {
	t.Helper()
	out := run.out.String()
	open, rooms := openLine.FindStringSubmatch(out), roomsLine.FindStringSubmatch(out)
	if open == nil || rooms == nil || open[2] != addrs[0] || rooms[1] != addrs[1] || rooms[2] != addrs[2] {
		t.Fatalf("make run serves on %v but printed otherwise:\n%s", addrs, out)
	}
	run.addr, run.plainAddr, run.jsonAddr = addrs[0], addrs[1], addrs[2]
}

// How a test ends `make run`: Ctrl-C signals the terminal's foreground
// process group, make's; a SIGTERM (from kill, say) goes to make alone.
type stopSignal struct {
	name   string
	signal func(makePid int) error
}

var (
	ctrlC   = stopSignal{"Ctrl-C", func(pid int) error { return syscall.Kill(-pid, syscall.SIGINT) }}
	sigterm = stopSignal{"SIGTERM to make", func(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }}
)

// stop ends `make run` with sig and checks that make then exits and that
// nothing it started is left: no process it had at that moment (servers,
// the examples' programs, in groups of their own) and none in its group.
func (run *makeRun) stop(t *testing.T, sig stopSignal) {
	if run.stopped {
		return
	}
	run.stopped = true
	started := descendants(run.cmd.Process.Pid)
	select {
	case <-run.done: // it failed to start, and is checked for leftovers only
	default:
		if err := sig.signal(run.cmd.Process.Pid); err != nil {
			t.Errorf("%s: %v", sig.name, err)
		}
	}
	select {
	case <-run.done:
	case <-time.After(30 * time.Second):
		t.Errorf("make run still running 30s after %s\n%s", sig.name, run.out)
		syscall.Kill(-run.cmd.Process.Pid, syscall.SIGKILL)
		<-run.done
	}
	for _, pid := range started {
		if alive(pid) {
			t.Errorf("process %d outlived make run (%s)", pid, sig.name)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	checkGroupGone(t, run.cmd.Process.Pid)
}

// expectPrograms fails the test unless make run has, among the processes
// under it, one running each of names (a program or its script).
func (run *makeRun) expectPrograms(t *testing.T, names ...string) {
	t.Helper()
	var running []string
	for _, pid := range descendants(run.cmd.Process.Pid) {
		running = append(running, commandLine(pid))
	}
	for _, name := range names {
		if !slices.ContainsFunc(running, func(line string) bool { return runs(line, name) }) {
			t.Errorf("no %s under make run; running:\n%s", name, strings.Join(running, "\n"))
		}
	}
}

// runs reports whether a command line runs the program or script name.
func runs(commandLine, name string) bool {
	return slices.ContainsFunc(strings.Fields(commandLine), func(arg string) bool {
		return filepath.Base(arg) == name
	})
}

// checkGroupGone fails the test if a live process is left in the group.
func checkGroupGone(t *testing.T, pgid int) {
	t.Helper()
	for _, pid := range processes(func(pid int) bool { return processGroup(pid) == pgid }) {
		if alive(pid) {
			t.Errorf("process %d (%s) of make's group outlived it", pid, commandLine(pid))
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// withoutVars returns env without the named variables.
func withoutVars(env []string, names ...string) []string {
	var kept []string
	for _, entry := range env {
		name, _, _ := strings.Cut(entry, "=")
		if !slices.Contains(names, name) {
			kept = append(kept, entry)
		}
	}
	return kept
}
