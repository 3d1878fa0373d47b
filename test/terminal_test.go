//go:build !windows

package test

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// terminalClient reads a --terminal session's output, which comes as raw
// bytes in binary messages, and finds text in it.
type terminalClient struct {
	t      *testing.T
	c      *websocket.Conn
	output strings.Builder
	seen   int // output before this has been matched already
}

// await reads until want appears in the output not yet matched, and
// marks the output up to it as matched.
func (tc *terminalClient) await(want string) {
	tc.t.Helper()
	tc.c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		if i := strings.Index(tc.output.String()[tc.seen:], want); i >= 0 {
			tc.seen += i + len(want)
			return
		}
		kind, data, err := tc.c.ReadMessage()
		if err != nil {
			tc.t.Fatalf("waiting for %q: %v; output so far:\n%q", want, err, tc.output.String())
		}
		if kind != websocket.BinaryMessage {
			tc.t.Fatalf("got a message of type %d, want binary", kind)
		}
		tc.output.Write(data)
	}
}

func (tc *terminalClient) typeText(text string) {
	tc.t.Helper()
	send(tc.t, tc.c, websocket.TextMessage, text)
}

// closeCode reads the rest of the output until the close frame.
func (tc *terminalClient) closeCode() int {
	tc.t.Helper()
	tc.c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		_, _, err := tc.c.ReadMessage()
		var closeErr *websocket.CloseError
		if errors.As(err, &closeErr) {
			return closeErr.Code
		}
		if err != nil {
			tc.t.Fatalf("want a close frame, got %v", err)
		}
	}
}

// The prompt is set by the test, in two quoted halves, so that the echo of
// the command that sets it is not mistaken for the prompt itself.
const (
	setPrompt = "PS1='PRO''MPT> '\r"
	prompt    = "PROMPT> "
)

// startShell runs an interactive bash under --terminal (and flags), opens
// a session on path and waits for the prompt; setup is typed first (traps,
// for instance).
func startShell(t *testing.T, path, setup string, flags ...string) (*server, *terminalClient) {
	t.Helper()
	bash := requireTool(t, "bash")
	args := append([]string{"--terminal"}, flags...)
	s := startServer(t, append(args, bash, "--norc", "--noprofile", "-i")...)
	tc := &terminalClient{t: t, c: s.dial(path)}
	tc.typeText(setup + setPrompt)
	tc.await(prompt)
	return s, tc
}

func TestTerminalShellProtocol(t *testing.T) {
	s, tc := startShell(t, "/", "")

	tc.typeText("echo $((6*7)) $TERM\r")
	tc.await("42 xterm-256color\r\n")
	tc.await(prompt)

	tc.typeText("sleep 100\r")
	sleep := waitForeground(t, s, "sleep")
	tc.typeText("\x03") // ^C, as typed
	waitFor(t, readTimeout, "^C to end sleep", func() bool { return !alive(sleep) })
	tc.await(prompt)

	tc.typeText(`{"resize":{"cols":100,"rows":30}}`)
	tc.typeText("stty size\r")
	tc.await("30 100\r\n")
	tc.await(prompt)

	tc.typeText("exit\r")
	if code := tc.closeCode(); code != websocket.CloseNormalClosure {
		t.Fatalf("close %d, want 1000", code)
	}
	s.waitNoChildren(readTimeout)
}

func TestTerminalInitialSizeAndBadControls(t *testing.T) {
	s, tc := startShell(t, "/?cols=132&rows=43", "", "--loglevel=debug")
	for _, bad := range []string{`{"resize":{"cols":0,"rows":30}}`, `{"resize":"big"}`, `{"resize":{"cols":99999,"rows":1}}`} {
		tc.typeText(bad)
	}
	tc.typeText("stty size\r")
	tc.await("43 132\r\n") // the bad ones changed nothing, and were not typed
	tc.await(prompt)
	if strings.Contains(tc.output.String(), "resize") {
		t.Fatalf("a control message reached the terminal as input:\n%q", tc.output.String())
	}
	if n := len(s.awaitLines("terminal control message ignored", 3)); n != 3 {
		t.Fatalf("%d bad control messages logged, want 3\n%s", n, s.out)
	}
}

func TestTerminalClientGoneHangsUpTheShell(t *testing.T) {
	// A shell that would ignore the stop sequence's SIGINT and SIGTERM:
	// what ends it is the hang-up of its terminal.
	s, tc := startShell(t, "/", "trap '' INT TERM; trap 'echo hup >&2; exit 7' HUP; ", "--closems=60000")
	shell := s.children()
	if len(shell) != 1 {
		t.Fatalf("want one child, got %v", shell)
	}
	tc.c.Close()
	waitFor(t, readTimeout, "the shell to end on SIGHUP", func() bool { return !alive(shell[0]) })
	s.waitNoChildren(readTimeout)
}

// Resize messages set the window size; they are not typing, and the
// message counts leave them out.
func TestTerminalResizeIsNotCountedAsAMessage(t *testing.T) {
	bash := requireTool(t, "bash")
	s := startServer(t, "--terminal", "--metrics=127.0.0.1:0", bash, "--norc", "--noprofile", "-i")
	tc := &terminalClient{t: t, c: s.dial("/")}
	typed := []string{setPrompt, "stty size\r"}
	tc.typeText(typed[0])
	tc.await(prompt)
	tc.typeText(`{"resize":{"cols":100,"rows":30}}`)
	tc.typeText(`{"resize":{"cols":0,"rows":30}}`) // refused, yet a control message
	tc.typeText(typed[1])
	tc.await("30 100\r\n") // every message before it has been read
	_, exposition := httpGet(t, s.metricsURL()+"/metrics")
	expectMetrics(t, exposition, map[string]float64{
		`websocketd_messages_total{direction="in"}`:      float64(len(typed)),
		`websocketd_message_bytes_total{direction="in"}`: float64(len(typed[0]) + len(typed[1])),
	})
}

// waitForeground waits until a process named name, started by the
// server's child, is its terminal's foreground job, and returns its pid.
func waitForeground(t *testing.T, s *server, name string) int {
	t.Helper()
	var found int
	waitFor(t, readTimeout, name+" in the foreground", func() bool {
		for _, pid := range descendants(s.cmd.Process.Pid) {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			if strings.TrimSpace(string(comm)) == name && foreground(pid) {
				found = pid
				return true
			}
		}
		return false
	})
	return found
}

// foreground reports whether pid's process group is its terminal's
// foreground group (/proc/PID/stat: pgrp is field 5, tpgid field 8).
func foreground(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	pgrp, _ := strconv.Atoi(fields[2])
	tpgid, _ := strconv.Atoi(fields[5])
	return pgrp > 0 && pgrp == tpgid
}

// Job control puts a shell's jobs in process groups of their own, out of
// reach of the signals to the child's group: they still end with it.
func TestTerminalJobsEndWithTheSession(t *testing.T) {
	_, tc := startShell(t, "/", "")
	// Quoted in two halves, so that the echo of the command is not the answer.
	tc.typeText("sleep 300 </dev/null >/dev/null 2>&1 & disown; echo \"JOB\"\"=$!\"\r")
	tc.await("JOB=")
	tc.await("\r\n")
	out := tc.output.String()
	line := out[strings.LastIndex(out, "JOB=")+len("JOB="):]
	line = line[:strings.IndexByte(line, '\r')]
	job, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || !alive(job) {
		t.Fatalf("want the pid of a live job, got %q (%v)", line, err)
	}
	tc.typeText("exit\r")
	if code := tc.closeCode(); code != websocket.CloseNormalClosure {
		t.Fatalf("close %d, want 1000", code)
	}
	waitFor(t, readTimeout, "the job to be killed", func() bool { return !alive(job) })
}
