//go:build !windows

package test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireTool skips a test whose outside tool is missing, except in CI,
// which installs every tool the tests need.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing in CI (.ci/run installs it): %v", name, err)
	}
	t.Skipf("%s is not installed: %v", name, err)
	return ""
}

// startCommand runs cmd as the server under test: when the test ends it
// gets SIGTERM and must leave no process behind. Output goes to s.out
// unless the caller set cmd.Stdout.
func startCommand(t testing.TB, cmd *exec.Cmd) *server {
	t.Helper()
	s := &server{t: t, cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout, cmd.Stderr = s.out, s.out
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	go func() { cmd.Wait(); close(s.done) }()
	t.Cleanup(s.stop)
	return s
}

func TestSocketActivation(t *testing.T) {
	activate := requireTool(t, "systemd-socket-activate")
	// --port names a port that is taken: websocketd must use the socket
	// it is handed and not try to bind its own.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)
	var s *server
	startOnFreePort(t, func(port int) bool {
		addr := "127.0.0.1:" + strconv.Itoa(port)
		s = startCommand(t, exec.Command(activate, "-l", addr, "-E", "GORACE",
			binary, "--address=127.0.0.1", "--port="+takenPort, "cat"))
		waitFor(t, startTimeout, "systemd-socket-activate to listen or fail", func() bool {
			return strings.Contains(s.out.String(), "Listening on") || s.exited()
		})
		s.addr = addr
		return !s.exited()
	})
	// systemd-socket-activate starts websocketd on the first connection.
	echoOnce(t, s.dial("/"), "activated")
	waitFor(t, readTimeout, "the serving line", func() bool {
		return len(s.out.lines("serving ")) > 0
	})
	serving := s.out.lines("serving ")
	if len(serving) != 1 || !strings.HasSuffix(serving[0], " on ws://"+s.addr+"/") {
		t.Fatalf("want one serving line for ws://%s/, got %q", s.addr, serving)
	}
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// listenNotify plays systemd's side of sd_notify: it receives the
// datagrams a service sends to NOTIFY_SOCKET.
func listenNotify(t testing.TB) (path string, states <-chan string) {
	t.Helper()
	path = filepath.Join(filepath.Dir(socketPath(t)), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	received := make(chan string, 8)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			received <- string(buf[:n])
		}
	}()
	return path, received
}

func nextState(t testing.TB, states <-chan string) string {
	t.Helper()
	select {
	case state := <-states:
		return state
	case <-time.After(startTimeout):
		t.Fatal("no notification from websocketd")
		return ""
	}
}

func TestNotifyReadyAndStopping(t *testing.T) {
	notifyPath, states := listenNotify(t)
	// The log goes straight to a file, not through a pipe that the test
	// copies later: what the server wrote before READY=1 is in the file
	// by the time READY=1 arrives.
	logPath := filepath.Join(t.TempDir(), "log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "--address=127.0.0.1", "--port=0", "cat")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+notifyPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	s := startCommand(t, cmd)
	logFile.Close()
	log := func() string { data, _ := os.ReadFile(logPath); return string(data) }

	if state := nextState(t, states); state != "READY=1" {
		t.Fatalf("first notification %q, want READY=1", state)
	}
	m := servingLine.FindStringSubmatch(log())
	if m == nil {
		t.Fatalf("READY=1 came before the serving line:\n%s", log())
	}
	s.addr = m[2]
	echoOnce(t, s.dial("/"), "ready means ready")
	pid := connectedPID(t, log)
	select {
	case state := <-states:
		t.Fatalf("notification %q before any signal", state)
	default:
	}

	s.cmd.Process.Signal(syscall.SIGTERM)
	if state := nextState(t, states); state != "STOPPING=1" {
		t.Fatalf("notification at SIGTERM %q, want STOPPING=1", state)
	}
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, log())
	}
	if alive(pid) {
		t.Error("the session's process outlived the server")
	}
	if strings.Contains(log(), "DATA RACE") {
		t.Errorf("the race detector found a data race in websocketd:\n%s", log())
	}
}

func TestSocketActivationRefusesDatagramSocket(t *testing.T) {
	activate := requireTool(t, "systemd-socket-activate")
	var s *server
	var addr string
	startOnFreePort(t, func(port int) bool {
		addr = "127.0.0.1:" + strconv.Itoa(port)
		s = startCommand(t, exec.Command(activate, "--datagram", "-l", addr, "-E", "GORACE", binary, "cat"))
		waitFor(t, startTimeout, "systemd-socket-activate to listen or fail", func() bool {
			return strings.Contains(s.out.String(), "Listening on") || s.exited()
		})
		return !s.exited()
	})
	// The first datagram makes systemd-socket-activate start websocketd.
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("wake up"))
	if code := s.wait(startTimeout); code != 3 {
		t.Fatalf("exit %d with a datagram socket, want 3\n%s", code, s.out)
	}
	if !strings.Contains(s.out.String(), "not a listening stream socket") {
		t.Fatalf("the refusal does not say why:\n%s", s.out)
	}
}
