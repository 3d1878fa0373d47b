//go:build !windows

package test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// debianPython is /usr/bin/python3 with Debian's python3-websockets, the
// WebSocket client nobody here wrote (a python3 earlier in PATH, such as a
// pyenv one, may lack the module). Missing: skipped, except in CI.
func debianPython(t testing.TB) string {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import websockets").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs %s with python3-websockets (.ci/run installs it): %v", python, err)
		}
		t.Skipf("no python3-websockets for %s (apt-get install python3-websockets): %v", python, err)
	}
	return python
}

// pythonClient runs testdata/wsclient.py against url, sending messages,
// and returns its output: MESSAGE, CLOSE or STATUS lines.
func pythonClient(t testing.TB, url string, messages ...string) string {
	t.Helper()
	python := debianPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*readTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{"testdata/wsclient.py", url}, messages...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python client %s: %v\n%s", url, err, out)
	}
	return strings.TrimSpace(string(out))
}

// curl runs curl with args (-s and a timeout added) and returns its output.
func curl(t testing.TB, args ...string) string {
	t.Helper()
	path := requireTool(t, "curl")
	args = append([]string{"-s", "--max-time", "20"}, args...)
	out, err := exec.Command(path, args...).Output()
	if err != nil {
		t.Fatalf("curl %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// curlHead returns the status line and headers of a request, the body
// discarded.
func curlHead(t testing.TB, args ...string) string {
	t.Helper()
	return curl(t, append([]string{"-o", "/dev/null", "-D", "-"}, args...)...)
}
