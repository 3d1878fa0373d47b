// The completions are for bash, zsh and fish, run here in the real shells;
// Windows has none of them (and the Wine run of the unit tests would find
// none), so these tests are for Unix.

//go:build !windows

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// requireShell returns the path of a shell the test needs: missing, it skips the
// test, except in CI, which installs it.
func requireShell(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing in CI (.ci/run installs it): %v", name, err)
		}
		t.Skipf("%s is not installed: %v", name, err)
	}
	return path
}

func writeCompletion(t *testing.T, generate func(*pflag.FlagSet) string) string {
	t.Helper()
	var v flagValues
	path := filepath.Join(t.TempDir(), "completion")
	if err := os.WriteFile(path, []byte(generate(newFlagSet(&v))), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bashComplete runs the generated completion in a real bash on the words
// of a command line (the last one is being completed) and returns what
// it offers.
func bashComplete(t *testing.T, script, dir string, words ...string) []string {
	t.Helper()
	args := []string{"--norc", "--noprofile", "-c",
		`source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _websocketd; printf '%s\n' "${COMPREPLY[@]}"`,
		script}
	cmd := exec.Command(requireShell(t, "bash"), append(args, words...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash completion of %q: %v", words, err)
	}
	return strings.Fields(string(out))
}

func TestBashCompletion(t *testing.T) {
	script := writeCompletion(t, bashCompletion)
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "scripts"), 0o755)
	os.WriteFile(filepath.Join(dir, "server.pem"), nil, 0o644)
	cases := []struct {
		words []string
		want  []string
	}{
		{[]string{"websocketd", "--log"}, []string{"--loglevel", "--logformat"}},
		{[]string{"websocketd", "--loglevel", "de"}, []string{"debug"}},
		{[]string{"websocketd", "-loglevel", "="}, []string{"debug", "trace", "access", "info", "error", "fatal", "none"}},
		{[]string{"websocketd", "--logformat", "=", "j"}, []string{"json"}},
		{[]string{"websocketd", "--dir", "=", ""}, []string{"scripts"}},
		{[]string{"websocketd", "--port", "80", "--sslcert", "s"}, []string{"scripts", "server.pem"}},
		// After COMMAND, nothing of ours is offered.
		{[]string{"websocketd", "--port", "80", "cat", "--log"}, []string{}},
		{[]string{"websocketd", "--binary", "cat", "ser"}, []string{"server.pem"}},
	}
	for _, tc := range cases {
		if got := bashComplete(t, script, dir, tc.words...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("completing %q: %q, want %q", tc.words, got, tc.want)
		}
	}
}

// fishComplete asks a real fish what it offers for a command line.
func fishComplete(t *testing.T, script, line string) string {
	t.Helper()
	out, err := exec.Command(requireShell(t, "fish"), "--no-config", "-c",
		`source $argv[1]; complete -C $argv[2]`, script, line).CombinedOutput()
	if err != nil {
		t.Fatalf("fish completing %q: %v\n%s", line, err, out)
	}
	return string(out)
}

func TestFishCompletion(t *testing.T) {
	script := writeCompletion(t, fishCompletion)
	cases := []struct {
		line      string
		want      []string
		wantNever string
	}{
		{"websocketd --log", []string{"--loglevel\t", "--logformat\t"}, ""},
		{"websocketd --loglevel=", []string{"--loglevel=debug"}, ""},
		{"websocketd --port 80 --bin", []string{"--binary\t"}, ""},
		{"websocketd -port 80 --bin", []string{"--binary\t"}, ""},
		// After COMMAND, nothing of ours is offered.
		{"websocketd --port 80 cat --po", nil, "--port"},
	}
	for _, tc := range cases {
		got := fishComplete(t, script, tc.line)
		for _, want := range tc.want {
			if !strings.Contains(got, want) {
				t.Errorf("fish completing %q: %q lacks %q", tc.line, got, want)
			}
		}
		if tc.wantNever != "" && strings.Contains(got, tc.wantNever) {
			t.Errorf("fish completing %q offers %q: %q", tc.line, tc.wantNever, got)
		}
	}
}

// zsh has no way to run a completion outside an interactive line editor;
// the generated file must at least parse and define every flag.
func TestZshCompletion(t *testing.T) {
	script := writeCompletion(t, zshCompletion)
	if out, err := exec.Command(requireShell(t, "zsh"), "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	content, _ := os.ReadFile(script)
	var v flagValues
	newFlagSet(&v).VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(string(content), "--"+f.Name+"[") && !strings.Contains(string(content), "--"+f.Name+"=[") {
			t.Errorf("the zsh completion does not define --%s", f.Name)
		}
	})
}
