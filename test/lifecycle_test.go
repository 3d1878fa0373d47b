//go:build !windows

package test

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// onlyChild waits for the one session of s and returns its process id.
func onlyChild(t testing.TB, s *server) int {
	t.Helper()
	return connectedPID(t, s.out.String)
}

// connectedPID waits for the one CONNECT line in a server's log and
// returns the pid it names.
func connectedPID(t testing.TB, log func() string) int {
	t.Helper()
	// The pid comes from the session's CONNECT line, not from a scan of
	// the server's children: a scan can catch a short-lived process that
	// is not the session's (seen under -race on a loaded machine), and
	// the tests then watched the wrong pid.
	var pid int
	waitFor(t, readTimeout, "the session's CONNECT line", func() bool {
		lines := connectLine.FindAllStringSubmatch(log(), -1)
		if len(lines) != 1 {
			return false
		}
		pid, _ = strconv.Atoi(lines[0][1])
		return true
	})
	return pid
}

var connectLine = regexp.MustCompile(`pid:'(\d+)' \| CONNECT`)

func TestPingsDropSilentClient(t *testing.T) {
	const interval = 100 * time.Millisecond
	s := startServer(t, "--pingms=100", "cat")
	c := s.dial("/") // never read, so never answers a ping
	pid := onlyChild(t, s)
	// Dead after 2 intervals; the rest of the bound is slack for a loaded
	// machine, not an expectation.
	waitFor(t, 2*interval+10*time.Second, "the silent client's process to end", func() bool {
		return !alive(pid)
	})
	c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		_, _, err := c.ReadMessage()
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			t.Fatal("the server did not close the silent client's connection")
		}
		if err != nil {
			break
		}
	}
	s.waitNoChildren(readTimeout)
}

func TestPingsKeepHealthyClient(t *testing.T) {
	// A pong may come up to one interval late and still be in time: 100 ms
	// leaves room for a loaded machine.
	s := startServer(t, "--pingms=100", "cat")
	c := s.dial("/")
	pid := onlyChild(t, s)
	var pings atomic.Int32
	c.SetPingHandler(func(data string) error {
		pings.Add(1)
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(readTimeout))
	})
	messages := make(chan string, 1)
	go func() { // reading is what answers the pings
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				close(messages)
				return
			}
			messages <- string(data)
		}
	}()
	waitFor(t, readTimeout, "ten pings", func() bool { return pings.Load() >= 10 })
	send(t, c, websocket.TextMessage, "still alive")
	select {
	case got, ok := <-messages:
		if !ok || got != "still alive" {
			t.Fatalf("after ten pings the echo gave %q (open: %v)", got, ok)
		}
	case <-time.After(readTimeout):
		t.Fatal("no echo after ten pings")
	}
	if !alive(pid) {
		t.Fatal("the healthy client's process ended")
	}
}

// streamLine is one --passstderr message.
type streamLine struct {
	Stream string `json:"stream"`
	Data   string `json:"data"`
}

func TestPassStderrKeepsOrder(t *testing.T) {
	// Each line waits for the client's ack of the previous one, so the
	// order the server read them in is the order they were written.
	s := startServer(t, "--passstderr", script(t, "streams.sh", `echo out1
read ack; echo 'err "1"' >&2
read ack; echo out2
read ack; echo err2 >&2
read ack; echo out3
`))
	c := s.dial("/")
	want := []streamLine{{"stdout", "out1"}, {"stderr", `err "1"`}, {"stdout", "out2"},
		{"stderr", "err2"}, {"stdout", "out3"}}
	for i, w := range want {
		_, raw := receive(t, c)
		if i == 0 && raw != `{"stream":"stdout","data":"out1"}` {
			t.Fatalf("first message %s, want exactly {\"stream\":\"stdout\",\"data\":\"out1\"}", raw)
		}
		var got streamLine
		if err := json.Unmarshal([]byte(raw), &got); err != nil || got != w {
			t.Fatalf("message %d: %s (%v), want %+v", i, raw, err, w)
		}
		send(t, c, websocket.TextMessage, "ack")
	}
	if code, _ := expectClose(t, c); code != websocket.CloseNormalClosure {
		t.Fatalf("close code %d, want 1000", code)
	}
	waitFor(t, readTimeout, "stderr lines in the log", func() bool {
		return len(s.out.lines(`| stderr |`)) == 2 && len(s.out.lines(`err "1"`)) == 1
	})
}

func TestPassStderrWithBinaryIsConfigError(t *testing.T) {
	out, err := exec.Command(binary, "--port=0", "--passstderr", "--binary", "cat").CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 || !strings.Contains(string(out), "--passstderr") {
		t.Fatalf("exit %v, want 1 naming --passstderr; output:\n%s", err, out)
	}
}

func TestSIGTERMClosesEveryClientWith1001(t *testing.T) {
	s := startServer(t, "cat")
	conns := make([]*websocket.Conn, 20)
	for i := range conns {
		conns[i] = s.dial("/")
		echoOnce(t, conns[i], "hello")
	}
	pids := s.children()
	if len(pids) != len(conns) {
		t.Fatalf("%d processes for %d connections", len(pids), len(conns))
	}
	s.shutdownEndsEverything(conns, pids)
}

// shutdownEndsEverything sends the server SIGTERM and checks a graceful
// end: every client gets 1001, the server exits 0, and none of pids (the
// processes it served them with) outlives it.
func (s *server) shutdownEndsEverything(conns []*websocket.Conn, pids []int) {
	t := s.t
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	for i, c := range conns {
		if code, _ := expectClose(t, c); code != websocket.CloseGoingAway {
			t.Errorf("client %d got close code %d, want 1001", i, code)
		}
	}
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, s.out)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d outlived the server", pid)
		}
	}
}

func TestSecondSIGINTExitsAtOnce(t *testing.T) {
	// Children that ignore SIGINT and SIGTERM, and a stop sequence and
	// shutdown grace of minutes: only the second signal can end this soon.
	s := startServer(t, "--closems=60000", "--shutdownms=120000",
		script(t, "stubborn.sh", "trap '' INT TERM\necho ready\nexec sleep 300\n"))
	conns := make([]*websocket.Conn, 3)
	for i := range conns {
		conns[i] = s.dial("/")
		expectText(t, conns[i], "ready")
	}
	pids := s.children()
	s.cmd.Process.Signal(syscall.SIGINT)
	for _, c := range conns {
		if code, _ := expectClose(t, c); code != websocket.CloseGoingAway {
			t.Fatalf("close code %d, want 1001", code)
		}
	}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("process %d ended within its grace: the test proves nothing", pid)
		}
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	// Far below the minutes the first shutdown would take.
	if code := s.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, s.out)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d outlived the server", pid)
		}
	}
}

func TestJSONLogFormat(t *testing.T) {
	s := startServer(t, "--logformat=json", "cat")
	echoOnce(t, s.dial("/"), "logged")
	resp, err := http.Get("http://" + s.addr + "/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantURL := "http://" + s.addr + "/nothing-here"
	waitFor(t, readTimeout, "the 404 access record", func() bool {
		return strings.Contains(s.out.String(), wantURL)
	})
	var serving, access bool
	scanner := bufio.NewScanner(strings.NewReader(s.out.String()))
	for scanner.Scan() {
		var record map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &record); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", scanner.Text(), err)
		}
		msg, _ := record["msg"].(string)
		if _, ok := record["time"]; !ok || msg == "" {
			t.Errorf("record lacks time or msg: %q", scanner.Text())
		}
		serving = serving || record["level"] == "INFO" && strings.HasPrefix(msg, "serving ")
		access = access || record["level"] == "ACCESS" && record["url"] == wantURL &&
			strings.Contains(msg, "404")
	}
	if !serving || !access {
		t.Fatalf("missing the INFO serving record (%v) or the ACCESS record of %s (%v):\n%s",
			serving, wantURL, access, s.out)
	}
}

// running lists the live processes whose command line holds marker (a
// script's unique path): found after the server exited, they are orphans,
// wherever they were in their start when it did.
func running(marker string) []int {
	return processes(func(pid int) bool {
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		return err == nil && alive(pid) && strings.Contains(string(cmdline), marker)
	})
}

// expectNoOrphans fails the test if a process running marker is left,
// and kills it.
func expectNoOrphans(t testing.TB, marker string) {
	t.Helper()
	for _, pid := range running(marker) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("process %d outlived the server", pid)
	}
}

func TestSIGTERMDuringConnectStorm(t *testing.T) {
	// Clients keep connecting while the server shuts down, so some
	// upgrades are under way when the signal comes.
	storm := script(t, "storm.sh", "while read line; do echo \"$line\"; done\n")
	s := startServer(t, storm)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 { // until the server is gone, at most 100 each
				conn, _, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
				if err != nil {
					return
				}
				defer conn.Close()
			}
		}()
	}
	waitFor(t, readTimeout, "20 sessions", func() bool { return len(running(storm)) >= 20 })
	s.cmd.Process.Signal(syscall.SIGTERM)
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, s.out)
	}
	wg.Wait()
	expectNoOrphans(t, storm)
}

func TestSIGTERMRightAfterUpgrade(t *testing.T) {
	// The signal comes while the only session's process is being started:
	// the server must wait for it and stop it, not exit and orphan it.
	// The child ignores stdin's end and the gentle signals, so an orphan
	// would stay around to be seen.
	for i := range 3 {
		stubborn := script(t, "late.sh", "trap '' INT TERM HUP\nsleep 300\n")
		s := startServer(t, stubborn)
		conn, _, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
		if err != nil {
			t.Fatal(err)
		}
		s.cmd.Process.Signal(syscall.SIGTERM)
		conn.Close()
		if code := s.wait(readTimeout); code != 0 {
			t.Fatalf("round %d: exit code %d, want 0\n%s", i, code, s.out)
		}
		expectNoOrphans(t, stubborn)
	}
}
