//go:build !windows

package test

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// readTimeout bounds every read a test makes, so a bug fails, not hangs.
const readTimeout = 20 * time.Second

func send(t testing.TB, c *websocket.Conn, messageType int, data string) {
	t.Helper()
	if err := c.WriteMessage(messageType, []byte(data)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func receive(t testing.TB, c *websocket.Conn) (int, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(readTimeout))
	messageType, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return messageType, string(data)
}

func expectText(t testing.TB, c *websocket.Conn, want string) {
	t.Helper()
	messageType, got := receive(t, c)
	if messageType != websocket.TextMessage || got != want {
		t.Fatalf("got message %q (type %d), want text %q", got, messageType, want)
	}
}

// expectClose reads until the close frame and returns its code and reason.
func expectClose(t testing.TB, c *websocket.Conn) (int, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		_, data, err := c.ReadMessage()
		var closeErr *websocket.CloseError
		if errors.As(err, &closeErr) {
			return closeErr.Code, closeErr.Text
		}
		if err != nil {
			t.Fatalf("want a close frame, got error %v", err)
		}
		t.Fatalf("want a close frame, got message %q", data)
	}
}

func TestEchoRoundTrip(t *testing.T) {
	s := startServer(t, "cat")
	c := s.dial("/")
	for _, msg := range []string{"hello", "", "with spaces and ünïcödé", "last"} {
		send(t, c, websocket.TextMessage, msg)
		expectText(t, c, msg)
	}
}

func TestOutputFraming(t *testing.T) {
	cases := map[string]struct {
		printf string
		want   []string
	}{
		"multi-line":           {`a\nb\nc\n`, []string{"a", "b", "c"}},
		"empty line":           {`a\n\nb\n`, []string{"a", "", "b"}},
		"crlf":                 {`a\r\nb\r\n`, []string{"a", "b"}},
		"unterminated last":    {`a\nlast`, []string{"a", "last"}},
		"lone cr kept in line": {`a\rb\n`, []string{"a\rb"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, script(t, "out.sh", "printf '"+tc.printf+"'\n"))
			c := s.dial("/")
			for _, want := range tc.want {
				expectText(t, c, want)
			}
			if code, _ := expectClose(t, c); code != websocket.CloseNormalClosure {
				t.Fatalf("close code %d, want 1000", code)
			}
		})
	}
}

func TestBinaryBytesExact(t *testing.T) {
	s := startServer(t, "--binary", "cat")
	c := s.dial("/")
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	if err := c.WriteMessage(websocket.BinaryMessage, all); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for len(got) < len(all) {
		messageType, data := receive(t, c)
		if messageType != websocket.BinaryMessage {
			t.Fatalf("message type %d, want binary", messageType)
		}
		got = append(got, data...)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("echoed bytes differ:\n got %x\nwant %x", got, all)
	}
}

func TestTwoMiBEchoDoesNotDeadlock(t *testing.T) {
	s := startServer(t, "--maxframesize=0", "--maxlinesize=4194304", "cat")
	c := s.dial("/")
	big := strings.Repeat("0123456789abcdef", 2<<20/16)
	send(t, c, websocket.TextMessage, big)
	send(t, c, websocket.TextMessage, "after")
	expectText(t, c, big)
	expectText(t, c, "after")
}

func TestOutputFlowsWhileChildNeverReadsStdin(t *testing.T) {
	// The child writes 200 lines slowly and never reads; we push far more
	// than a pipe holds at it meanwhile.
	s := startServer(t, script(t, "deaf.sh", `i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done; sleep 30`))
	c := s.dial("/")
	go func() {
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 64; i++ {
			if c.WriteMessage(websocket.TextMessage, []byte(chunk)) != nil {
				return
			}
		}
	}()
	for i := 0; i < 200; i++ {
		expectText(t, c, "line"+strconv.Itoa(i))
	}
}

func TestExitDeliversOutputThenCloses(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		code   int
		reason string
	}{
		{"clean exit", "echo bye\nexit 0\n", websocket.CloseNormalClosure, ""},
		{"failing exit", "echo bye\nexit 3\n", websocket.CloseInternalServerErr, "exit status 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, script(t, "exit.sh", tc.body))
			c := s.dial("/")
			expectText(t, c, "bye")
			code, reason := expectClose(t, c)
			if code != tc.code || reason != tc.reason {
				t.Fatalf("close %d %q, want %d %q", code, reason, tc.code, tc.reason)
			}
			s.waitNoChildren(readTimeout)
		})
	}
}

// pidsScript reports its own pid and a grandchild's, then waits.
const pidsScript = "sleep 300 &\necho $$ $!\nwhile read line; do echo \"$line\"; done\nsleep 300\n"

func readPIDs(t *testing.T, c *websocket.Conn) (int, int) {
	t.Helper()
	_, line := receive(t, c)
	fields := strings.Fields(line)
	if len(fields) != 2 {
		t.Fatalf("want two pids, got %q", line)
	}
	child, _ := strconv.Atoi(fields[0])
	grandchild, _ := strconv.Atoi(fields[1])
	if !alive(child) || !alive(grandchild) {
		t.Fatalf("pids %d %d should be alive", child, grandchild)
	}
	return child, grandchild
}

func TestClientCloseKillsProcessGroup(t *testing.T) {
	checkCloseKillsProcessGroup(t)
}

// checkCloseKillsProcessGroup closes a session whose child started a
// grandchild, and checks that both die and nothing is left: with extra
// server flags, the same holds in the other modes (e.g. --pty).
func checkCloseKillsProcessGroup(t *testing.T, flags ...string) {
	t.Helper()
	s := startServer(t, append(flags, script(t, "pids.sh", pidsScript))...)
	c := s.dial("/")
	child, grandchild := readPIDs(t, c)
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
	waitFor(t, readTimeout, "child and grandchild to die", func() bool {
		return !alive(child) && !alive(grandchild)
	})
	s.waitNoChildren(readTimeout)
}

func TestAbruptDropKillsProcessGroup(t *testing.T) {
	s := startServer(t, script(t, "pids.sh", pidsScript))
	c := s.dial("/")
	child, grandchild := readPIDs(t, c)
	// SO_LINGER 0 makes Close send a TCP RST: no close frame, no FIN.
	c.UnderlyingConn().(*net.TCPConn).SetLinger(0)
	c.UnderlyingConn().Close()
	waitFor(t, readTimeout, "child and grandchild to die", func() bool {
		return !alive(child) && !alive(grandchild)
	})
	s.waitNoChildren(readTimeout)
}

func TestMaxForksGives429ThenFreesSlot(t *testing.T) {
	s := startServer(t, "--maxforks=1", "cat")
	first := s.dial("/")
	send(t, first, websocket.TextMessage, "one")
	expectText(t, first, "one")
	if status := s.dialStatus("/", nil); status != http.StatusTooManyRequests {
		t.Fatalf("second connection got %d, want 429", status)
	}
	first.Close()
	waitFor(t, readTimeout, "the slot to be freed", func() bool {
		return s.dialStatus("/", nil) == http.StatusSwitchingProtocols
	})
}

func TestMaxFrameSizeCloses1009(t *testing.T) {
	s := startServer(t, "--maxframesize=1024", "cat")
	c := s.dial("/")
	send(t, c, websocket.TextMessage, "small")
	expectText(t, c, "small")
	send(t, c, websocket.TextMessage, strings.Repeat("x", 2048))
	if code, _ := expectClose(t, c); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
	s.waitNoChildren(readTimeout)
}

func TestEnvironmentIsExactlyCGI(t *testing.T) {
	s := startServer(t, "/usr/bin/env")
	header := http.Header{"X-Multi": {"a", "b"}, "X-Evil": {"ok"}}
	conn, _, err := websocket.DefaultDialer.Dial(s.url("/some/path?q=1&r=%20"), header)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	env := map[string]string{}
	for {
		conn.SetReadDeadline(time.Now().Add(readTimeout))
		_, data, err := conn.ReadMessage()
		if err != nil {
			break
		}
		name, value, _ := strings.Cut(string(data), "=")
		env[name] = value
	}
	host, port, _ := net.SplitHostPort(s.addr)
	want := map[string]string{
		"SERVER_SOFTWARE": "websocketd/0.6.0", "GATEWAY_INTERFACE": "CGI/1.1",
		"SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": host, "SERVER_PORT": port,
		"REQUEST_METHOD": "GET", "REQUEST_URI": "/some/path?q=1&r=%20",
		"SCRIPT_NAME": "/", "PATH_INFO": "/some/path", "QUERY_STRING": "q=1&r=%20",
		"REMOTE_ADDR": "127.0.0.1", "REMOTE_HOST": "127.0.0.1",
		"HTTP_X_MULTI": "a, b", "HTTP_X_EVIL": "ok", "HTTP_HOST": s.addr,
		"HTTP_CONNECTION": "Upgrade", "HTTP_UPGRADE": "websocket",
		"HTTP_SEC_WEBSOCKET_VERSION": "13", "PATH": os.Getenv("PATH"),
	}
	for name, value := range want {
		if env[name] != value {
			t.Errorf("%s=%q, want %q", name, env[name], value)
		}
	}
	for _, name := range []string{"REMOTE_PORT", "UNIQUE_ID", "HTTP_SEC_WEBSOCKET_KEY"} {
		if env[name] == "" {
			t.Errorf("%s is empty", name)
		}
	}
	var extra []string
	for name := range env {
		if _, ok := want[name]; !ok && name != "REMOTE_PORT" && name != "UNIQUE_ID" &&
			name != "HTTP_SEC_WEBSOCKET_KEY" && name != "HTTP_USER_AGENT" && name != "LD_LIBRARY_PATH" {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("unexpected variables: %v", extra)
	}
}

func TestUniqueIDDiffersPerConnection(t *testing.T) {
	s := startServer(t, script(t, "id.sh", "echo $UNIQUE_ID\n"))
	_, a := receive(t, s.dial("/"))
	_, b := receive(t, s.dial("/"))
	if a == "" || a == b {
		t.Fatalf("UNIQUE_ID %q and %q should be set and differ", a, b)
	}
}

func TestArgumentsAfterCommandAreUntouched(t *testing.T) {
	s := startServer(t, script(t, "args.sh", `for a in "$@"; do echo "$a"; done`+"\n"), "--verbose", "-x", "two words")
	c := s.dial("/")
	for _, want := range []string{"--verbose", "-x", "two words"} {
		expectText(t, c, want)
	}
}

func TestErrorExitCodes(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	cases := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"unknown flag", []string{"--bogus", "cat"}, 2, "unknown flag: --bogus"},
		{"no command", []string{"--port=0"}, 1, "nothing to serve"},
		{"missing command", []string{"--port=0", "/no/such/command"}, 1, "/no/such/command"},
		{"bad loglevel", []string{"--loglevel=loud", "cat"}, 1, `unknown log level "loud"`},
		{"command and dir", []string{"--dir=.", "cat"}, 1, "either COMMAND or --dir"},
		{"port in use", []string{"--address=127.0.0.1", "--port=" + port, "cat"}, 3, "address already in use"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(binary, tc.args...).CombinedOutput()
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != tc.code {
				t.Fatalf("exit %v, want code %d; output:\n%s", err, tc.code, out)
			}
			if !strings.Contains(string(out), tc.says) {
				t.Fatalf("output %q does not say %q", out, tc.says)
			}
		})
	}
}

func TestInfoFlags(t *testing.T) {
	version, err := exec.Command(binary, "--version").Output()
	if err != nil || !strings.HasPrefix(string(version), "websocketd 0.6.0 (go1.") {
		t.Errorf("--version: %q, %v", version, err)
	}
	help, err := exec.Command(binary, "--help").Output()
	for _, want := range []string{"--port", "--maxforks", "--devconsole", "Examples:", "ws://HOST:PORT"} {
		if err != nil || !strings.Contains(string(help), want) {
			t.Errorf("--help lacks %q (%v)", want, err)
		}
	}
	license, err := exec.Command(binary, "--license").Output()
	if err != nil || !strings.Contains(string(license), "Redistribution and use") {
		t.Errorf("--license: %q, %v", license, err)
	}
}

func TestBadHandshakeGets400(t *testing.T) {
	s := startServer(t, "cat")
	req, _ := http.NewRequest("GET", "http://"+s.addr+"/", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket") // no key, no version
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	if len(s.children()) != 0 {
		t.Fatal("a bad handshake started a process")
	}
}

func TestAccessLogHasEveryRequest(t *testing.T) {
	s := startServer(t, "cat")
	resp, err := http.Get("http://" + s.addr + "/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, readTimeout, "the 404 access line", func() bool {
		return len(s.out.lines("| ACCESS | http | url:'http://"+s.addr+"/nothing-here'")) > 0
	})
}

func TestDisconnectNoticedWhileChildIgnoresStdin(t *testing.T) {
	// The child never reads stdin: once its pipe is full the server stops
	// reading the socket too, yet a client that leaves must still be seen.
	s := startServer(t, script(t, "deaf.sh", "echo $$\nexec sleep 300\n"))
	c := s.dial("/")
	_, line := receive(t, c)
	child, _ := strconv.Atoi(line)
	chunk := strings.Repeat("x", 64<<10)
	for range 8 { // 512 KiB: far more than a pipe and socket buffers hold
		c.SetWriteDeadline(time.Now().Add(time.Second))
		if c.WriteMessage(websocket.TextMessage, []byte(chunk)) != nil {
			break // the kernel buffers are full: the server stopped reading
		}
	}
	// A FIN would queue behind the unsent data the server no longer takes;
	// a reset is what reaches it (as when a client's machine gives up).
	c.UnderlyingConn().(*net.TCPConn).SetLinger(0)
	c.UnderlyingConn().Close()
	waitFor(t, readTimeout, "the child to be stopped", func() bool { return !alive(child) })
	s.waitNoChildren(readTimeout)
}
