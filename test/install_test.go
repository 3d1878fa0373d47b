//go:build !windows

package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// installedFiles is what `make install` puts under PREFIX, and `make uninstall`
// removes.
var installedFiles = []string{
	"bin/websocketd",
	"share/man/man1/websocketd.1",
	"share/bash-completion/completions/websocketd",
	"share/zsh/site-functions/_websocketd",
	"share/fish/vendor_completions.d/websocketd.fish",
}

// helpFlagLine matches the flags --help lists: "  --port=N", "  -h, --help".
var helpFlagLine = regexp.MustCompile(`(?m)^  (?:-\w, )?--([a-z][a-z0-9-]*)`)

// make install into a temporary DESTDIR; the man page renders without a
// warning and, like the bash completion, names every flag of --help.
func TestMakeInstall(t *testing.T) {
	requireTool(t, "make")
	requireTool(t, "man")
	destdir := t.TempDir()
	makeTarget(t, "install", "DESTDIR="+destdir, "PREFIX=/usr/local")
	prefix := filepath.Join(destdir, "usr/local")
	for _, file := range installedFiles {
		if _, err := os.Stat(filepath.Join(prefix, file)); err != nil {
			t.Errorf("make install did not install %s: %v", file, err)
		}
	}
	help, err := exec.Command(filepath.Join(prefix, "bin/websocketd"), "--help").Output()
	if err != nil {
		t.Fatalf("installed websocketd --help: %v", err)
	}
	flags := helpFlagLine.FindAllStringSubmatch(string(help), -1)
	if len(flags) < 20 {
		t.Fatalf("found only %d flags in --help:\n%s", len(flags), help)
	}
	page := renderManPage(t, filepath.Join(prefix, "share/man/man1/websocketd.1"))
	bash, err := os.ReadFile(filepath.Join(prefix, "share/bash-completion/completions/websocketd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range flags {
		name := flag[1]
		if !regexp.MustCompile(`(?m)^\s+(-\w, )?--` + name + `(=|\s|$)`).MatchString(page) {
			t.Errorf("the man page does not describe --%s", name)
		}
		if !regexp.MustCompile(`[ ']--` + name + `[ ')]`).Match(bash) {
			t.Errorf("the bash completion does not offer --%s", name)
		}
	}
	checkDevelopmentVersion(t, filepath.Join(prefix, "bin/websocketd"))
	makeTarget(t, "uninstall", "DESTDIR="+destdir, "PREFIX=/usr/local")
	filepath.WalkDir(destdir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("make uninstall left %s", path)
		}
		return nil
	})
}

func makeTarget(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-C", ".."}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// renderManPage formats the page as man(1) shows it, failing on any
// warning of groff or man.
func renderManPage(t *testing.T, path string) string {
	t.Helper()
	cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", path)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "MANWIDTH=80", "MAN_KEEP_FORMATTING=", "MANPAGER=cat", "PAGER=cat")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("man %s: %v\n%s", path, err, stderr.String())
	}
	for _, section := range []string{"NAME", "SYNOPSIS", "OPTIONS", "EXIT STATUS"} {
		if !regexp.MustCompile(`(?m)^` + section + `$`).Match(out) {
			t.Errorf("the man page has no %s section:\n%s", section, out)
		}
	}
	// Markup characters of the help survive the trip through Markdown.
	if !bytes.Contains(out, []byte("HTTP_<HEADER>")) || !bytes.Contains(out, []byte(`{"stream":...,"data":...}`)) {
		t.Errorf("the man page lost characters of the help text:\n%s", out)
	}
	return string(out)
}

// A build by make from a git checkout names its commit, unless it is the
// release tag itself.
func checkDevelopmentVersion(t *testing.T, binary string) {
	t.Helper()
	describe, err := exec.Command("git", "-C", "..", "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		t.Logf("not a git checkout (%v): the version is not checked", err)
		return
	}
	want := "websocketd 0.6.0+" + strings.TrimSpace(string(describe)) + " ("
	if strings.TrimSpace(string(describe)) == "v0.6.0" {
		want = "websocketd 0.6.0 ("
	}
	out, err := exec.Command(binary, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), want) {
		t.Errorf("--version of a make build: %q (%v), want it to start with %q", out, err, want)
	}
}
