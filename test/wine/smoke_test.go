//go:build linux && wine

package wine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// timeout bounds each wait; Wine starts processes slowly.
const timeout = 60 * time.Second

// server is one websocketd.exe under Wine.
type server struct {
	addr string
	out  *lockedBuffer
}

var servingLine = regexp.MustCompile(`serving .* on ws://([^ /]+)/`)

// startServer runs websocketd.exe on a port it picks, and stops it (the
// Linux side of Wine's process) when the test ends.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	needWine(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	cmd := wineCommand(ctx, append([]string{env.websocket, "--address=127.0.0.1", "--port=0",
		"--loglevel=debug"}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	// A child that escaped the job would hold the output pipe open for
	// good: Wait must not wait for it after websocketd.exe has gone.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("websocketd.exe said:\n%s", out)
		}
	})
	var addr string
	waitFor(t, timeout, "websocketd.exe to serve", func() bool {
		select {
		case <-done:
			t.Fatalf("websocketd.exe exited: %v\n%s", cmd.ProcessState, out)
		default:
		}
		if m := servingLine.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			return true
		}
		return false
	})
	return &server{addr: addr, out: out}
}

func (s *server) dial(t *testing.T, path string) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial("ws://"+s.addr+path, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", path, err, status)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(timeout))
	return c
}

func (s *server) dialStatus(t *testing.T, path string) int {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial("ws://"+s.addr+path, nil)
	if err == nil {
		c.Close()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	return resp.StatusCode
}

func expectText(t *testing.T, c *websocket.Conn, want string) {
	t.Helper()
	_, data, err := c.ReadMessage()
	if err != nil || strings.TrimRight(string(data), "\r") != want {
		t.Fatalf("got %q, %v; want %q", data, err, want)
	}
}

func expectClose(t *testing.T, c *websocket.Conn) *websocket.CloseError {
	t.Helper()
	_, data, err := c.ReadMessage()
	var closeErr *websocket.CloseError
	if !errors.As(err, &closeErr) {
		t.Fatalf("got %q, %v; want a close frame", data, err)
	}
	return closeErr
}

func TestWineEchoRoundTrip(t *testing.T) {
	s := startServer(t, env.child, "echo")
	c := s.dial(t, "/")
	for _, line := range []string{"hello", "from Linux"} {
		if err := c.WriteMessage(websocket.TextMessage, []byte(line)); err != nil {
			t.Fatal(err)
		}
		expectText(t, c, line)
	}
}

func TestWineExitStatusClosesWith1011(t *testing.T) {
	s := startServer(t, env.child, "exit3")
	c := s.dial(t, "/")
	expectText(t, c, "bye")
	closed := expectClose(t, c)
	if closed.Code != websocket.CloseInternalServerErr || !strings.Contains(closed.Text, "exit status 3") {
		t.Fatalf("close %d %q, want 1011 with exit status 3", closed.Code, closed.Text)
	}
}

// The child starts a grandchild and hangs, reading nothing: once the
// client leaves, the stop sequence ends in the job's end, which takes the
// grandchild too.
func TestWineJobEndsChildAndGrandchild(t *testing.T) {
	marker := fmt.Sprintf("tree-%d", time.Now().UnixNano())
	s := startServer(t, env.child, "spawn", marker)
	c := s.dial(t, "/")
	expectText(t, c, "spawned")
	waitFor(t, timeout, "child and grandchild to run", func() bool { return len(childrenWith(marker)) == 2 })
	c.Close()
	waitFor(t, timeout, "child and grandchild to be gone", func() bool { return len(childrenWith(marker)) == 0 })
}

// The stop sequence's second step: a child that ignores its stdin gets
// CTRL_BREAK_EVENT, which Go delivers as os.Interrupt, before the job is
// ended.
func TestWineCtrlBreakReachesChild(t *testing.T) {
	needWine(t)
	probe, err := wineCommand(context.Background(), env.child, "probebreak").Output()
	if answer := strings.TrimSpace(string(probe)); err != nil || answer != "ok" {
		t.Skipf("Wine limitation: Wine 8.0 refuses GenerateConsoleCtrlEvent (and AllocConsole) "+
			"in a process it runs from a pipe, so CTRL_BREAK_EVENT cannot be sent: %q, %v", answer, err)
	}
	trapped := filepath.Join(t.TempDir(), "trapped")
	s := startServer(t, env.child, "trapbreak", "Z:"+filepath.ToSlash(trapped))
	c := s.dial(t, "/")
	expectText(t, c, "trapping")
	c.Close()
	waitFor(t, timeout, "the session to end", func() bool {
		return strings.Contains(s.out.String(), "DISCONNECT")
	})
	if data, err := os.ReadFile(trapped); err != nil || string(data) != "break" {
		t.Fatalf("the child never saw CTRL_BREAK_EVENT (%q, %v)", data, err)
	}
}

func TestWineMaxForksGives429(t *testing.T) {
	s := startServer(t, "--maxforks=1", env.child, "echo")
	first := s.dial(t, "/")
	first.WriteMessage(websocket.TextMessage, []byte("busy"))
	expectText(t, first, "busy") // the one process is running
	if status := s.dialStatus(t, "/"); status != http.StatusTooManyRequests {
		t.Fatalf("second connection got HTTP %d, want 429", status)
	}
}

func TestWineDirRunsExeAndBat(t *testing.T) {
	needWine(t)
	dir := filepath.Join(t.TempDir(), "scripts")
	os.Mkdir(dir, 0o755)
	if err := copyFile(env.child, filepath.Join(dir, "echo.exe")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "hello.bat"), []byte("@echo off\r\necho hello from batch\r\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "plain.txt"), []byte("not a program\r\n"), 0o644)
	s := startServer(t, "--dir="+dir)

	c := s.dial(t, "/echo.exe")
	c.WriteMessage(websocket.TextMessage, []byte("via --dir"))
	expectText(t, c, "via --dir")

	b := s.dial(t, "/hello.bat")
	expectText(t, b, "hello from batch")
	if closed := expectClose(t, b); closed.Code != websocket.CloseNormalClosure {
		t.Fatalf("batch file ended with %d %q, want 1000", closed.Code, closed.Text)
	}

	if status := s.dialStatus(t, "/plain.txt"); status != http.StatusForbidden {
		t.Fatalf("plain.txt got HTTP %d, want 403", status)
	}
	waitFor(t, timeout, "a log line saying what plain.txt would need", func() bool {
		return strings.Contains(s.out.String(), ".exe, .bat and .cmd")
	})
	if status := s.dialStatus(t, "/ECHO.EXE"); status != http.StatusSwitchingProtocols {
		t.Fatalf("/ECHO.EXE got HTTP %d: Windows names are case-insensitive", status)
	}
	if status := s.dialStatus(t, "/echo.exe."); status != http.StatusNotFound {
		t.Fatalf("/echo.exe. got HTTP %d, want 404 (a trailing dot is refused)", status)
	}
}

// TestWineUnitTests runs the unit tests of every package, built for
// Windows, under Wine. One failure is Wine's, not ours, and is reported by
// name instead: Wine 8.0 answers the FileDispositionInformationEx request,
// with which Go 1.26 deletes files in os.RemoveAll, with "Invalid
// function", so every test that leaves files in t.TempDir fails at its
// cleanup. A test whose only errors are such cleanups is listed as that
// Wine limitation; any other failure fails this test.
func TestWineUnitTests(t *testing.T) {
	needWine(t)
	for _, pkg := range []string{"../../libwebsocketd", "../../internal/child", "../../internal/pipes", "../.."} {
		exe := filepath.Join(t.TempDir(), filepath.Base(pkg)+".test.exe")
		if out, err := goTestWindows(exe, pkg).CombinedOutput(); err != nil {
			t.Fatalf("building %s for Windows: %v\n%s", pkg, err, out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := wineCommand(ctx, exe, "-test.count=1", "-test.v=test2json")
		cmd.Dir = pkg // testdata is found relative to the package
		out, runErr := cmd.CombinedOutput()
		cancel()
		results := parseTestOutput(out)
		if len(results.passed) == 0 {
			t.Errorf("%s under Wine ran no test: %v\n%s", pkg, runErr, out)
			continue
		}
		for name, lines := range results.failed {
			if onlyWineCleanupErrors(lines) {
				t.Logf("%s: %s fails only at its TempDir cleanup (the Wine deletion limitation)", pkg, name)
				continue
			}
			t.Errorf("%s: %s failed under Wine:\n%s", pkg, name, strings.Join(lines, ""))
		}
		t.Logf("%s under Wine: %d passed, %d skipped, %d failed", pkg,
			len(results.passed), len(results.skipped), len(results.failed))
	}
}

// testResults are the tests of one run of a test binary, with the output
// of each failed one.
type testResults struct {
	passed, skipped []string
	failed          map[string][]string
}

// parseTestOutput reads a test binary's -test.v=test2json output: each
// test's lines come between its "=== RUN" and its "--- PASS/FAIL/SKIP"
// line (markers prefixed by the 0x16 byte test2json uses to frame them).
func parseTestOutput(out []byte) testResults {
	results := testResults{failed: map[string][]string{}}
	lines := map[string][]string{}
	current := ""
	for _, line := range strings.SplitAfter(string(out), "\n") {
		marker := strings.TrimLeft(strings.TrimPrefix(line, "\x16"), " ")
		switch {
		case strings.HasPrefix(marker, "=== RUN   "), strings.HasPrefix(marker, "=== CONT  "):
			current = strings.TrimSpace(marker[10:])
		case strings.HasPrefix(marker, "--- PASS: "):
			results.passed = append(results.passed, testName(marker))
		case strings.HasPrefix(marker, "--- SKIP: "):
			results.skipped = append(results.skipped, testName(marker))
		case strings.HasPrefix(marker, "--- FAIL: "):
			name := testName(marker)
			results.failed[name] = lines[name]
		default:
			lines[current] = append(lines[current], line)
		}
	}
	return results
}

func testName(marker string) string { return strings.Fields(marker)[2] }

// onlyWineCleanupErrors: every error line of a failed test is Wine's
// failure to delete a TempDir file. Log lines of a skipped-then-cleaned
// test (a missing Unix tool) are allowed as long as no other error is.
func onlyWineCleanupErrors(lines []string) bool {
	cleanup := 0
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.Contains(trimmed, "TempDir RemoveAll cleanup:") && strings.HasSuffix(trimmed, "Invalid function."):
			cleanup++
		case strings.Contains(trimmed, "_test.go:") && !strings.Contains(trimmed, "is not installed"):
			return false // an error (or log) of the test's own
		}
	}
	return cleanup > 0
}

// lockedBuffer is websocketd.exe's output, written by exec's copier and
// read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
