//go:build !windows

package test

import (
	"errors"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// The classic tool's one-dash long flags, in the =value and the separate
// value form, as systemd units written for it use them.
func TestClassicSingleDashFlagsServe(t *testing.T) {
	s := startProcessOnly(t, "-port=0", "-address=127.0.0.1", "-loglevel", "access", "-binary", "cat")
	s.addr = s.waitServing()
	c := s.dial("/")
	send(t, c, websocket.BinaryMessage, "one dash")
	// A binary message back shows that -binary was read as --binary.
	if kind, data := receive(t, c); kind != websocket.BinaryMessage || data != "one dash" {
		t.Errorf("got message type %d %q, want binary %q", kind, data, "one dash")
	}
}

func TestNoCommandShowsUsage(t *testing.T) {
	out, err := exec.Command(binary, "--port=0").CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("exit %v, want code 1; output:\n%s", err, out)
	}
	for _, want := range []string{"nothing to serve", "usage: websocketd", "Try 'websocketd --help' for more information."} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output %q does not say %q", out, want)
		}
	}
}

// A flag of ours after COMMAND goes to COMMAND, and the log says so once.
func TestFlagsAfterCommandAreNoted(t *testing.T) {
	s := startServer(t, script(t, "args.sh", `echo "$@"`), "--port=9000", "--verbose")
	c := s.dial("/")
	expectText(t, c, "--port=9000 --verbose")
	notes := s.out.lines("after COMMAND")
	if len(notes) != 1 || !strings.Contains(notes[0], "--port=9000 after COMMAND go to") || strings.Contains(notes[0], "--verbose") {
		t.Errorf("want one note naming --port=9000 (and not --verbose), got %q", notes)
	}
}

// A build without VCS stamping or a git description is the release itself.
func TestVersionLine(t *testing.T) {
	out, err := exec.Command(binary, "--version").Output()
	want := regexp.MustCompile(`^websocketd 0\.6\.0 \(go1\.\d+(\.\d+)? ` + runtime.GOOS + "-" + runtime.GOARCH + `\)\n$`)
	if err != nil || !want.Match(out) {
		t.Errorf("--version printed %q (%v), want a match for %s", out, err, want)
	}
}

func TestConfigErrorsOfTheHTTPSurface(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		says string
	}{
		{[]string{"--dir=" + dir, "cat"}, "either COMMAND or --dir"},
		{[]string{"--devconsole", "--staticdir=" + dir, "cat"}, "--devconsole cannot be combined"},
		{[]string{"--devconsole", "--cgidir=" + dir, "cat"}, "--devconsole cannot be combined"},
		{[]string{"--header=NoColon", "cat"}, `--header "NoColon"`},
		{[]string{"--header-ws=: empty name", "cat"}, "--header-ws"},
		{[]string{"--header-http=Bad Name: v", "cat"}, "--header-http"},
		{[]string{"--origin=ftp://example.com", "cat"}, "--origin"},
	}
	for _, tc := range cases {
		s := startProcessOnly(t, append([]string{"--address=127.0.0.1", "--port=0"}, tc.args...)...)
		if code := s.wait(readTimeout); code != 1 {
			t.Errorf("%v: exit code %d, want 1\n%s", tc.args, code, s.out)
		}
		if !strings.Contains(s.out.String(), tc.says) {
			t.Errorf("%v: output %q does not say %q", tc.args, s.out, tc.says)
		}
	}
}
