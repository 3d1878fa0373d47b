//go:build !windows

package test

import (
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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

// makeRunTimeout bounds `make run` from start to serving: it builds
// websocketd and the compiled examples first.
const makeRunTimeout = 5 * time.Minute

// makeRun is a running `make run` of the repository, the README's command.
type makeRun struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	addr string // host:port it serves on
}

// openLine is what `make run` prints for the person at the terminal.
var openLine = regexp.MustCompile(`open (http://([^ /]+)/) in a browser`)

// startMakeRun runs `make run PORT=…` on a port picked for this test, with
// ADDRESS=address unless that is empty, and waits until it serves there
// (on 127.0.0.1 without ADDRESS).
func startMakeRun(t *testing.T, address string) *makeRun {
	t.Helper()
	var run *makeRun
	startOnFreePort(t, func(port int) bool {
		vars := []string{"PORT=" + strconv.Itoa(port)}
		want := "127.0.0.1:" + strconv.Itoa(port)
		if address != "" {
			vars = append(vars, "ADDRESS="+address)
			want = address + ":" + strconv.Itoa(port)
		}
		run = launchMakeRun(t, vars...)
		collided := run.waitServing(t)
		if !collided && run.addr != want {
			t.Fatalf("make run serves on %s, want %s\n%s", run.addr, want, run.out)
		}
		return !collided
	})
	return run
}

func launchMakeRun(t *testing.T, vars ...string) *makeRun {
	t.Helper()
	run := &makeRun{out: &syncBuffer{}, done: make(chan struct{})}
	run.cmd = exec.Command("make", append([]string{"-C", "..", "--no-print-directory", "run"}, vars...)...)
	// An outer make (make test) passes its jobserver in MAKEFLAGS; ours
	// must not try to use it.
	run.cmd.Env = withoutVars(os.Environ(), "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
	run.cmd.Stdout, run.cmd.Stderr = run.out, run.out
	run.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := run.cmd.Start(); err != nil {
		t.Fatalf("starting make run: %v", err)
	}
	go func() { run.cmd.Wait(); close(run.done) }()
	t.Cleanup(func() { run.stop(t) })
	return run
}

// waitServing waits until websocketd says it serves and checks that make
// printed that address to open, or reports that the port was taken.
func (run *makeRun) waitServing(t *testing.T) (collided bool) {
	t.Helper()
	deadline := time.After(makeRunTimeout)
	for {
		changed := run.out.changed() // before the read, so no line slips by
		out := run.out.String()
		if m := servingLine.FindStringSubmatch(out); m != nil {
			run.addr = m[2]
			open := openLine.FindStringSubmatch(out)
			if open == nil || open[2] != run.addr {
				t.Fatalf("make run did not print the address it serves on (%s):\n%s", run.addr, out)
			}
			return false
		}
		select {
		case <-changed:
		case <-run.done:
			if strings.Contains(run.out.String(), "address already in use") {
				return true
			}
			t.Fatalf("make run ended before serving: %v\n%s", run.cmd.ProcessState, run.out)
		case <-deadline:
			t.Fatalf("make run did not serve within %v:\n%s", makeRunTimeout, run.out)
		}
	}
}

// stop ends websocketd the way Ctrl-C does and checks that make then exits
// and that nothing it started is left. (make itself does not pass a
// SIGTERM on to its recipe, so the signal goes to websocketd.)
func (run *makeRun) stop(t *testing.T) {
	started := descendants(run.cmd.Process.Pid)
	for _, pid := range childrenOf(run.cmd.Process.Pid) {
		syscall.Kill(pid, syscall.SIGINT)
	}
	select {
	case <-run.done:
	case <-time.After(30 * time.Second):
		t.Errorf("make run still running 30s after SIGINT\n%s", run.out)
		syscall.Kill(-run.cmd.Process.Pid, syscall.SIGKILL)
		<-run.done
	}
	for _, pid := range started {
		if alive(pid) {
			t.Errorf("process %d outlived make run", pid)
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
