//go:build !windows

package test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// promptThenRead programs print "line 1", wait for a line on stdin, then
// print "line 2". Through a pipe their stdout is block-buffered, so line 1
// stays in their buffer while they wait: a client waiting for it before
// it sends anything deadlocks with them. --pty exists to undo exactly that.
const (
	pythonPrompt = "import os, sys\n" +
		"if 'PYTHONUNBUFFERED' in os.environ: sys.exit('PYTHONUNBUFFERED is set')\n" +
		"print('line 1')\nsys.stdin.readline()\nprint('line 2')\n"
	perlPrompt = "print \"line 1\\n\"; my $in = <STDIN>; print \"line 2\\n\";\n"
	cPrompt    = "#include <stdio.h>\nint main(void) {\n  char in[64];\n" +
		"  printf(\"line 1\\n\");\n  if (!fgets(in, sizeof in, stdin)) return 1;\n" +
		"  printf(\"line 2\\n\");\n  return 0;\n}\n"
)

// promptPrograms builds the argv of each prompt-then-read program whose
// tool is here (in CI all must be).
func promptPrograms(t *testing.T) map[string][]string {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	programs := map[string][]string{
		"python": {realPython(t), write("prompt.py", pythonPrompt)},
		"perl":   {requireTool(t, "perl"), write("prompt.pl", perlPrompt)},
	}
	gcc := requireTool(t, "gcc")
	binary := filepath.Join(dir, "prompt")
	if out, err := exec.Command(gcc, "-o", binary, write("prompt.c", cPrompt)).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	programs["c"] = []string{binary}
	return programs
}

// realPython is python3's own path: a version manager's shim would need
// variables that websocketd does not pass on.
func realPython(t *testing.T) string {
	python := requireTool(t, "python3")
	out, err := exec.Command(python, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestPTYDeliversLinesBeforeTheChildWaits(t *testing.T) {
	for name, argv := range promptPrograms(t) {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, append([]string{"--pty"}, argv...)...)
			c := s.dial("/")
			expectText(t, c, "line 1") // sent by the child before it waits
			send(t, c, websocket.TextMessage, "go on")
			expectText(t, c, "line 2")
			if code, reason := expectClose(t, c); code != websocket.CloseNormalClosure {
				t.Fatalf("close %d %q, want 1000", code, reason)
			}
		})
	}
}

// Without --pty the same programs deadlock: each ends up waiting on stdin
// with line 1 still in its buffer, having written nothing at all.
func TestWithoutPTYThePromptDeadlocks(t *testing.T) {
	if _, ok := readNumbers[runtime.GOARCH]; !ok {
		t.Skipf("no read system call number known for %s", runtime.GOARCH)
	}
	for name, argv := range promptPrograms(t) {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, argv...)
			s.dial("/")
			var child int
			waitFor(t, readTimeout, "the child to wait on stdin", func() bool {
				children := s.children()
				if len(children) == 1 {
					child = children[0]
				}
				return child != 0 && readingStdin(child)
			})
			if written := bytesWritten(t, child); written != 0 {
				t.Fatalf("the child wrote %d bytes before waiting; want its line kept in its buffer", written)
			}
		})
	}
}

// readNumbers are the read system call's numbers, for /proc/PID/syscall.
var readNumbers = map[string]string{"amd64": "0", "arm64": "63"}

// readingStdin reports whether pid is blocked in read(0, …).
func readingStdin(pid int) bool {
	number, ok := readNumbers[runtime.GOARCH]
	if !ok {
		return false
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/syscall", pid))
	fields := strings.Fields(string(data))
	return err == nil && len(fields) > 1 && fields[0] == number && fields[1] == "0x0"
}

// bytesWritten is what pid has written to any file so far.
func bytesWritten(t *testing.T, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		t.Fatalf("reading /proc/%d/io: %v", pid, err)
	}
	for line := range strings.Lines(string(data)) {
		if value, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(value))
			return n
		}
	}
	t.Fatalf("no wchar in /proc/%d/io", pid)
	return 0
}

func TestPTYManyLinesInOrderThenClose(t *testing.T) {
	const lines = 200000
	s := startServer(t, "--pty", "seq", strconv.Itoa(lines))
	c := s.dial("/")
	for i := 1; i <= lines; i++ {
		_, got := receive(t, c)
		if got != strconv.Itoa(i) {
			t.Fatalf("message %d is %q", i, got)
		}
	}
	if code, reason := expectClose(t, c); code != websocket.CloseNormalClosure {
		t.Fatalf("close %d %q, want 1000", code, reason)
	}
}

func TestPTYBinaryPassesEveryByte(t *testing.T) {
	python := realPython(t)
	s := startServer(t, "--pty", "--binary", python, "-c",
		"import sys\nfor _ in range(4): sys.stdout.buffer.write(bytes(range(256)))\n")
	c := s.dial("/")
	want := bytes.Repeat(func() []byte {
		all := make([]byte, 256)
		for i := range all {
			all[i] = byte(i)
		}
		return all
	}(), 4)
	got, code := readBinaryUntilClose(t, c)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes %q\nwant the 256 byte values 4 times", len(got), got)
	}
	if code != websocket.CloseNormalClosure {
		t.Fatalf("close %d, want 1000", code)
	}
}

// readBinaryUntilClose gathers every binary message until the close frame.
func readBinaryUntilClose(t *testing.T, c *websocket.Conn) ([]byte, int) {
	t.Helper()
	var all []byte
	c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		kind, data, err := c.ReadMessage()
		if closeErr, ok := err.(*websocket.CloseError); ok {
			return all, closeErr.Code
		}
		if err != nil {
			t.Fatalf("read: %v (after %d bytes)", err, len(all))
		}
		if kind != websocket.BinaryMessage {
			t.Fatalf("got a message of type %d, want binary", kind)
		}
		all = append(all, data...)
	}
}

func TestPTYOneMiBMessageReachesStdinWhole(t *testing.T) {
	python := realPython(t)
	s := startServer(t, "--pty", "--maxframesize=2000000", python, "-c",
		"import sys, hashlib\nline = sys.stdin.buffer.readline()\n"+
			"print(len(line), hashlib.sha256(line).hexdigest())\n")
	c := s.dial("/")
	message := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	send(t, c, websocket.TextMessage, string(message))
	sum := sha256.Sum256(append(message, '\n'))
	expectText(t, c, fmt.Sprintf("%d %x", len(message)+1, sum))
}

func TestPTYStopSequenceLeavesNoProcess(t *testing.T) {
	checkCloseKillsProcessGroup(t, "--pty")
}

func TestPTYExitStatusAndStderrAsWithoutIt(t *testing.T) {
	s := startServer(t, "--pty", "--passstderr", script(t, "exit.sh", "echo out\necho err >&2\nexit 3\n"))
	c := s.dial("/")
	got := map[string]bool{}
	for range 2 {
		_, message := receive(t, c)
		got[message] = true
	}
	if !got[`{"stream":"stdout","data":"out"}`] || !got[`{"stream":"stderr","data":"err"}`] {
		t.Fatalf("got %v, want stdout and stderr lines apart", got)
	}
	if code, reason := expectClose(t, c); code != websocket.CloseInternalServerErr || reason != "exit status 3" {
		t.Fatalf("close %d %q, want 1011 exit status 3", code, reason)
	}
}
