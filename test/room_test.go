package test

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"
)

// Rooms (--room): one process for all the clients of a path.

// roomPIDs returns the pids the server logged as room processes started.
func roomPIDs(t testing.TB, s *server) []int {
	t.Helper()
	var pids []int
	for _, line := range s.out.lines("room process started") {
		m := regexp.MustCompile(`pid:'(\d+)'`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("no pid in %q", line)
		}
		pid, _ := strconv.Atoi(m[1])
		pids = append(pids, pid)
	}
	return pids
}

func TestRoomCatSharesOneProcessPerPath(t *testing.T) {
	s := startServer(t, "--room", "cat")
	a1, a2, b := s.dial("/a"), s.dial("/a"), s.dial("/b")
	send(t, a1, websocket.TextMessage, "hello a")
	expectText(t, a1, "hello a") // the sender too: cat echoes
	expectText(t, a2, "hello a")
	send(t, b, websocket.TextMessage, "hello b")
	expectText(t, b, "hello b") // and not "hello a" first: /b never got it
	send(t, a2, websocket.TextMessage, "again a")
	expectText(t, a1, "again a")
	expectText(t, a2, "again a")

	children := s.children()
	slices.Sort(children)
	pids := roomPIDs(t, s)
	slices.Sort(pids)
	if len(children) != 2 || !slices.Equal(children, pids) {
		t.Fatalf("children %v, room processes logged %v: want exactly one cat per room", children, pids)
	}
	if n := len(s.out.lines("CONNECT")); n < 3 {
		t.Fatalf("%d CONNECT lines", n)
	}
	for _, line := range s.out.lines("CONNECT") {
		if !regexp.MustCompile(`room:'/[ab]'`).MatchString(line) {
			t.Fatalf("CONNECT line names no room: %s", line)
		}
	}

	// The last client of /b leaves: its cat stops; /a's goes on.
	b.Close()
	waitFor(t, readTimeout, "/b's cat to stop", func() bool { return len(s.children()) == 1 })
	a1.Close()
	send(t, a2, websocket.TextMessage, "still here")
	expectText(t, a2, "still here")
	a2.Close()
	s.waitNoChildren(readTimeout)

	// The next client starts a new process.
	c := s.dial("/a")
	echoOnce(t, c, "new room")
	if pids := roomPIDs(t, s); len(pids) != 3 || slices.Contains(children, pids[2]) {
		t.Fatalf("room processes %v: want a third, new one", pids)
	}
}

func TestRoomLingerKeepsTheProcessForTheNextClient(t *testing.T) {
	s := startServer(t, "--room", "--roomlinger=60000", "cat")
	c := s.dial("/")
	echoOnce(t, c, "one")
	first := s.children()
	c.Close()
	waitFor(t, readTimeout, "the DISCONNECT", func() bool { return len(s.out.lines("DISCONNECT")) == 1 })
	c = s.dial("/")
	echoOnce(t, c, "two")
	if now := s.children(); len(first) != 1 || !slices.Equal(now, first) {
		t.Fatalf("process before %v, after %v: --roomlinger should have kept it", first, now)
	}
	if pids := roomPIDs(t, s); len(pids) != 1 {
		t.Fatalf("%d room processes started, want 1", len(pids))
	}
}

func TestRoomProcessExitClosesEveryClientWithItsStatus(t *testing.T) {
	exit3 := script(t, "exit3.sh", "read line\necho \"got $line\"\nexit 3\n")
	s := startServer(t, "--room", exit3)
	conns := []*websocket.Conn{s.dial("/"), s.dial("/"), s.dial("/")}
	waitFor(t, readTimeout, "three CONNECTs", func() bool { return len(s.out.lines("CONNECT")) == 3 })
	send(t, conns[0], websocket.TextMessage, "bye")
	for i, c := range conns {
		expectText(t, c, "got bye")
		if code, reason := expectClose(t, c); code != websocket.CloseInternalServerErr || reason != "exit status 3" {
			t.Errorf("client %d: close %d %q, want 1011 \"exit status 3\"", i, code, reason)
		}
	}
	s.waitNoChildren(readTimeout)
	c := s.dial("/")
	if pids := roomPIDs(t, s); len(pids) != 2 {
		t.Fatalf("room processes %v: the next client should start a new one", pids)
	}
	c.Close()
}

func TestMaxClientsGives429(t *testing.T) {
	for _, mode := range [][]string{{"--maxclients=2"}, {"--maxclients=2", "--room"}} {
		s := startServer(t, append(mode, "cat")...)
		a, b := s.dial("/"), s.dial("/x")
		echoOnce(t, a, "a")
		echoOnce(t, b, "b")
		if status := s.dialStatus("/", nil); status != http.StatusTooManyRequests {
			t.Fatalf("%v: third client got %d, want 429", mode, status)
		}
		a.Close()
		waitFor(t, readTimeout, "a slot to free", func() bool {
			return s.dialStatus("/", nil) == http.StatusSwitchingProtocols
		})
	}
}

func TestRoomMaxForksCountsRooms(t *testing.T) {
	s := startServer(t, "--room", "--maxforks=1", "cat")
	a1, a2 := s.dial("/a"), s.dial("/a")
	echoOnce(t, a1, "one room")
	expectText(t, a2, "one room")
	if status := s.dialStatus("/b", nil); status != http.StatusTooManyRequests {
		t.Fatalf("a second room got %d, want 429", status)
	}
}

func TestRoomSIGTERMSends1001AndLeavesNoProcess(t *testing.T) {
	s := startServer(t, "--room", "--roomlinger=60000", "cat")
	var conns []*websocket.Conn
	for _, path := range []string{"/a", "/a", "/b", "/c"} {
		c := s.dial(path)
		send(t, c, websocket.TextMessage, "hi")
		conns = append(conns, c)
	}
	for i, lines := range []int{2, 2, 1, 1} { // both clients of /a get both lines
		for range lines {
			expectText(t, conns[i], "hi")
		}
	}
	conns[3].Close() // /c lingers with nobody in it
	pids := s.children()
	s.cmd.Process.Signal(syscall.SIGTERM)
	for i, c := range conns[:3] {
		if code, _ := expectClose(t, c); code != websocket.CloseGoingAway {
			t.Errorf("client %d got close %d, want 1001", i, code)
		}
	}
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, s.out)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("room process %d outlived the server", pid)
		}
	}
}
