//go:build !windows

package test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"
)

// socketPath is a fresh Unix socket path, short enough for the 108-byte
// limit whatever the test's name.
func socketPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wsd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "ws.sock")
}

// waitUnixServing waits for the serving line of the Unix socket at path.
func (s *server) waitUnixServing(path string) {
	s.t.Helper()
	waitFor(s.t, startTimeout, "serving on unix socket at "+path, func() bool {
		select {
		case <-s.done:
			s.t.Fatalf("websocketd exited before serving: %v\n%s", s.cmd.ProcessState, s.out)
		default:
		}
		return len(s.out.lines(" on unix socket at "+path)) == 1
	})
}

// dialUnix opens a WebSocket over the Unix socket at path.
func dialUnix(t testing.TB, path string) *websocket.Conn {
	t.Helper()
	dialer := websocket.Dialer{
		NetDial:          func(string, string) (net.Conn, error) { return net.Dial("unix", path) },
		HandshakeTimeout: readTimeout,
	}
	conn, _, err := dialer.Dial("ws://localhost/", nil)
	if err != nil {
		t.Fatalf("dial unix:%s: %v", path, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func echoOnce(t testing.TB, c *websocket.Conn, message string) {
	t.Helper()
	send(t, c, websocket.TextMessage, message)
	expectText(t, c, message)
}

func TestUnixSocketAloneEchoesAndIsRemovedOnShutdown(t *testing.T) {
	path := socketPath(t)
	s := startProcessOnly(t, "--unixsocket="+path,
		script(t, "remote.sh", "echo \"[$REMOTE_ADDR] [$REMOTE_PORT]\"\nexec cat\n"))
	s.waitUnixServing(path)
	if tcp := s.out.lines("ws://"); len(tcp) > 0 {
		t.Errorf("--unixsocket alone also listens on TCP: %q", tcp)
	}
	c := dialUnix(t, path)
	// What docs/urls.md says a Unix socket client's address is.
	expectText(t, c, "[@] []")
	echoOnce(t, c, "over unix")

	s.cmd.Process.Signal(syscall.SIGTERM)
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0\n%s", code, s.out)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("the socket file is still there after shutdown: %v", err)
	}
}

func TestUnixSocketBesideTCP(t *testing.T) {
	path := socketPath(t)
	s := startServer(t, "--unixsocket="+path, "cat")
	s.waitUnixServing(path)
	echoOnce(t, s.dial("/"), "over tcp")
	echoOnce(t, dialUnix(t, path), "over unix")
}

func TestStaleUnixSocketIsReplaced(t *testing.T) {
	path := socketPath(t)
	// A server that died without cleaning up leaves its socket file.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeSocket == 0 {
		t.Fatalf("no stale socket file to start from: %v", err)
	}
	s := startProcessOnly(t, "--unixsocket="+path, "cat")
	s.waitUnixServing(path)
	echoOnce(t, dialUnix(t, path), "took over")
}

func TestLiveUnixSocketIsRefused(t *testing.T) {
	path := socketPath(t)
	first := startProcessOnly(t, "--unixsocket="+path, "cat")
	first.waitUnixServing(path)

	// The reason goes to the log on stdout, as the classic websocketd's
	// fatal line did, with the words people's tooling greps for.
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	second := exec.CommandContext(ctx, binary, "--unixsocket="+path, "cat")
	var stdout, stderr bytes.Buffer
	second.Stdout, second.Stderr = &stdout, &stderr
	err := second.Run()
	if code := second.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("second server on a live socket: exit %d (%v), want 3\n%s%s", code, err, &stdout, &stderr)
	}
	fatal := regexp.MustCompile(`(?m)^.* \| FATAL  \| server \| .*unix socket ` + regexp.QuoteMeta(path) +
		` is already in use by a running server$`)
	if !fatal.MatchString(stdout.String()) {
		t.Errorf("no fatal log line on stdout saying the socket is already in use:\nstdout: %s\nstderr: %s", &stdout, &stderr)
	}
	echoOnce(t, dialUnix(t, path), "first still answers")
}

func TestNonSocketFileIsNotReplaced(t *testing.T) {
	path := socketPath(t)
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startProcessOnly(t, "--unixsocket="+path, "cat")
	if code := s.wait(startTimeout); code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, s.out)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "precious" {
		t.Fatalf("the file was touched: %q, %v", data, err)
	}
}
