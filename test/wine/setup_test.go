//go:build linux && wine

// Package wine runs websocketd.exe, and the Windows builds of the unit
// tests, under Wine (Debian's wine64) on this Linux machine: make
// test-wine. The Windows child programs come from ./child; Wine 8.0 lacks
// the ProcessPrng that Go's Windows runtime needs, so ./prng builds a
// stand-in bcryptprimitives.dll with mingw-w64 first.
package wine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// env is what TestMain prepared: a Wine prefix and the Windows binaries.
var env struct {
	err       error  // why Wine cannot run here; each test skips or fails on it
	wine      string // the wine64 loader
	dir       string // scratch directory, removed at the end
	prefix    string // WINEPREFIX
	websocket string // websocketd.exe
	child     string // child.exe
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "websocketd-wine-")
	if err != nil {
		panic(err)
	}
	env.dir = dir
	env.err = prepare()
	code := m.Run()
	if env.wine != "" && env.prefix != "" {
		// Ends whatever a failed test left running in this prefix.
		wineserver := exec.Command(filepath.Join(filepath.Dir(env.wine), "wineserver"), "-k")
		wineserver.Env = wineEnv()
		wineserver.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// needWine skips a test where Wine or mingw-w64 is missing, and fails it
// in CI, which installs both (.ci/run).
func needWine(t *testing.T) {
	t.Helper()
	if env.err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("Wine is not usable in CI (.ci/run installs wine64 and gcc-mingw-w64-x86-64): %v", env.err)
	}
	t.Skipf("Wine is not usable here: %v", env.err)
}

func prepare() error {
	wine, err := findWine()
	if err != nil {
		return err
	}
	gcc, err := exec.LookPath("x86_64-w64-mingw32-gcc")
	if err != nil {
		return fmt.Errorf("mingw-w64 (for the ProcessPrng DLL): %w", err)
	}
	env.wine, env.prefix = wine, filepath.Join(env.dir, "prefix")
	dll := filepath.Join(env.dir, "bcryptprimitives.dll")
	steps := []*exec.Cmd{
		exec.Command(gcc, "-shared", "-O2", "-o", dll, "prng/processprng.c", "prng/processprng.def", "-ladvapi32"),
		goBuildWindows(filepath.Join(env.dir, "websocketd.exe"), "../.."),
		goBuildWindows(filepath.Join(env.dir, "child.exe"), "./child"),
	}
	for _, step := range steps {
		if out, err := step.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", step.Args, err, out)
		}
	}
	env.websocket, env.child = filepath.Join(env.dir, "websocketd.exe"), filepath.Join(env.dir, "child.exe")
	if err := runWine(3*time.Minute, "wineboot", "-i"); err != nil {
		return fmt.Errorf("creating the Wine prefix: %w", err)
	}
	system32 := filepath.Join(env.prefix, "drive_c", "windows", "system32")
	if err := copyFile(dll, filepath.Join(system32, "bcryptprimitives.dll")); err != nil {
		return err
	}
	// The proof that Go programs start now.
	return runWine(time.Minute, env.websocket, "--version")
}

func findWine() (string, error) {
	if path, err := exec.LookPath("wine64"); err == nil {
		return path, nil
	}
	const debian = "/usr/lib/wine/wine64" // where Debian's wine64 puts it, off PATH
	if _, err := os.Stat(debian); err != nil {
		return "", fmt.Errorf("wine64 is not installed: %w", err)
	}
	return debian, nil
}

func goBuildWindows(out, pkg string) *exec.Cmd {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	return cmd
}

func goTestWindows(out, pkg string) *exec.Cmd {
	cmd := exec.Command("go", "test", "-c", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	return cmd
}

// wineEnv runs Wine in this run's own prefix, quietly.
func wineEnv() []string {
	return append(os.Environ(), "WINEPREFIX="+env.prefix, "WINEDEBUG=-all")
}

func wineCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, env.wine, args...)
	cmd.Env = wineEnv()
	return cmd
}

func runWine(timeout time.Duration, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := wineCommand(ctx, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("wine %s: %v\n%s", args, err, out)
	}
	return nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}

// waitFor polls cond until it holds: it watches what Wine's processes do,
// which nothing signals to us; the timeout only bounds a failure.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// childrenWith lists the Linux pids of child.exe processes whose command
// line holds marker: under Wine every Windows process is a Linux process
// too. websocketd.exe, whose arguments hold the marker as well, is left out.
func childrenWith(marker string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(marker)) && !bytes.Contains(cmdline, []byte("websocketd.exe")) {
			found = append(found, e.Name())
		}
	}
	return found
}
