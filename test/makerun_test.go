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
// SIGTERM to make alone both stop the server, and make waits for it:
// nothing is left once it exits. The open connections are ones whose
// programs take a moment to stop: count.sh does not read its input, so
// websocketd closes it and then signals, a room's cat, and a terminal's
// bash, which has a session of its own.
func TestMakeRunStops(t *testing.T) {
	needTool(t, "make")
	for _, sig := range []stopSignal{ctrlC, sigterm} {
		t.Run(sig.name, func(t *testing.T) {
			run := startMakeRun(t, "")
			count := dialExample(t, run.addr, "/bash/count.sh", nil)
			expectText(t, count, "1")
			room := dialExample(t, run.addr, "/rooms/plain/chat.sh", nil)
			send(t, room, websocket.TextMessage, "anyone?")
			expectText(t, room, "anyone?")
			shell := &terminalClient{t: t, c: dialExample(t, run.addr, "/terminal", nil)}
			shell.typeText(setPrompt)
			shell.await(prompt)
			run.expectPrograms(t, "count.sh", "cat")
			run.stop(t, sig)
		})
	}
}

// The port taken: websocketd says it cannot listen there, and make run
// fails at once, leaving nothing behind.
func TestMakeRunFailsWhenItsPortIsTaken(t *testing.T) {
	needTool(t, "make")
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	run := launchMakeRun(t, "PORT="+strconv.Itoa(taken.Addr().(*net.TCPAddr).Port))
	select {
	case <-run.done:
	case <-time.After(makeRunTimeout):
		t.Fatalf("make run still running with its port %s taken:\n%s", addr, run.out)
	}
	out := run.finalOutput(t)
	if want := "cannot listen: listen tcp " + addr + ": bind: address already in use"; !strings.Contains(out, want) {
		t.Errorf("make run did not say %q:\n%s", want, out)
	}
	if run.cmd.ProcessState.Success() {
		t.Errorf("make run succeeded with its port %s taken:\n%s", addr, out)
	}
	checkGroupGone(t, run.cmd.Process.Pid)
}

// makeRunTimeout bounds `make run` from start to serving: it builds
// websocketd and the compiled examples first.
const makeRunTimeout = 5 * time.Minute

// makeRun is a running `make run` of the repository, the README's command.
type makeRun struct {
	cmd      *exec.Cmd
	out      *syncBuffer
	done     chan struct{} // make exited
	outEnded chan struct{} // everything that held its output closed it
	addr     string        // host:port of its server
	stopped  bool          // stop ran already
}

// What `make run` prints for the person at the terminal: the page to open.
var openLine = regexp.MustCompile(`open (http://([^ /]+)/) in a browser`)

// startMakeRun runs `make run PORT=…` on a port picked for this test,
// with ADDRESS=address unless that is empty, and waits until its server
// serves there (on 127.0.0.1 without ADDRESS).
func startMakeRun(t *testing.T, address string) *makeRun {
	t.Helper()
	host := "127.0.0.1"
	if address != "" {
		host = address
	}
	var run *makeRun
	startOnFreePort(t, func(port int) bool {
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

// waitServing waits until the server says it serves on host at port, and
// checks that make printed that address; it reports false if make ended
// as the port was taken.
func (run *makeRun) waitServing(t *testing.T, host string, port int) (served bool) {
	t.Helper()
	want := net.JoinHostPort(host, strconv.Itoa(port))
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
			t.Fatalf("make run did not serve on %s within %v:\n%s", want, makeRunTimeout, run.out)
		}
	}
}

// servesOn reports whether the output has a serving line for addr.
func (run *makeRun) servesOn(addr string) bool {
	for _, m := range servingLine.FindAllStringSubmatch(run.out.String(), -1) {
		if m[2] == addr {
			return true
		}
	}
	return false
}

// checkPrinted checks that make printed the page to open at addr, where
// its server serves, and keeps the address.
func (run *makeRun) checkPrinted(t *testing.T, addr string) {
	t.Helper()
	out := run.out.String()
	if open := openLine.FindStringSubmatch(out); open == nil || open[2] != addr {
		t.Fatalf("make run serves on %s but printed otherwise:\n%s", addr, out)
	}
	run.addr = addr
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
