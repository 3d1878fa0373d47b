//go:build unix

// Shell scripts, shebangs, signals and terminals: Unix only (Windows has its
// own tests under Wine, test/wine).

package libwebsocketd

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestShebangInterpreter(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		content, want string
		ok            bool
	}{
		"plain":   {"#!/bin/sh\necho\n", "/bin/sh", true},
		"args":    {"#! /usr/bin/env  python3 -u\n", "/usr/bin/env", true},
		"tab":     {"#!\t/bin/bash\t-e\n", "/bin/bash", true},
		"crlf":    {"#!/bin/sh\r\necho\r\n", "/bin/sh\r", true},
		"no eol":  {"#!/opt/x", "/opt/x", true},
		"empty":   {"#!\n", "", false},
		"binary":  {"\x7fELF\x02\x01", "", false},
		"no bang": {"echo hi\n", "", false},
	}
	for name, tc := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(tc.content), 0o755); err != nil {
			t.Fatal(err)
		}
		got, ok := shebangInterpreter(path)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %q %v, want %q %v", name, got, ok, tc.want, tc.ok)
		}
	}
}

// Starting a script whose interpreter is missing fails with ENOENT, as if
// the script were missing; the explanation names the interpreter.
func TestExplainStartErrorNamesTheMissingInterpreter(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	start := func(path string) error { return exec.Command(path).Start() }

	missing := write("missing.sh", "#!/no/such/interpreter -x\necho\n")
	err := explainStartError(missing, "", start(missing))
	if err == nil || !strings.Contains(err.Error(), `interpreter "/no/such/interpreter"`) ||
		!strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing interpreter: %v", err)
	}
	crlf := write("crlf.sh", "#!/bin/sh\r\necho\r\n")
	if err := explainStartError(crlf, "", start(crlf)); err == nil || !strings.Contains(err.Error(), "Windows line endings") {
		t.Errorf("CRLF script: %v", err)
	}
	relative := write("relative.sh", "#!interp\n")
	write("interp", "#!/bin/sh\n")
	if err := explainStartError(relative, dir, syscall.ENOENT); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("an interpreter that exists in the child's directory was called missing: %v", err)
	}
	// What is not about an interpreter passes through unchanged.
	for _, tc := range []struct {
		argv0 string
		err   error
	}{
		{filepath.Join(dir, "absent.sh"), syscall.ENOENT},
		{write("fine.sh", "#!/bin/sh\n"), syscall.ENOENT},
		{missing, syscall.EACCES},
	} {
		if got := explainStartError(tc.argv0, "", tc.err); got != tc.err {
			t.Errorf("%s, %v: got %v", tc.argv0, tc.err, got)
		}
	}
}
