//go:build !windows

package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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
	// The server logs a room's start before its first 101; the log comes
	// through a pipe of its own, so it may still be on its way.
	waitFor(t, readTimeout, "two room processes in the log", func() bool { return len(roomPIDs(t, s)) >= 2 })
	pids := roomPIDs(t, s)
	slices.Sort(pids)
	if len(children) != 2 || !slices.Equal(children, pids) {
		t.Fatalf("children %v, room processes logged %v: want exactly one cat per room", children, pids)
	}
	waitFor(t, readTimeout, "three CONNECT lines", func() bool { return len(s.out.lines("CONNECT")) >= 3 })
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
	waitFor(t, readTimeout, "a third room process in the log", func() bool {
		return len(roomPIDs(t, s)) == 3
	})
	if pids := roomPIDs(t, s); slices.Contains(children, pids[2]) {
		t.Fatalf("room processes %v: want a third, new one", pids)
	}
}

func TestRoomFirstClientGetsTheFirstLine(t *testing.T) {
	s := startServer(t, "--room", script(t, "hello.sh", "echo hello\nexec cat\n"))
	c := s.dial("/")
	expectText(t, c, "hello") // written the moment the process started
	echoOnce(t, c, "then the echo")
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
	waitFor(t, readTimeout, "the room process in the log", func() bool { return len(roomPIDs(t, s)) >= 1 })
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
	send(t, c, websocket.TextMessage, "again")
	expectText(t, c, "got again") // a new process: the old one is gone
	waitFor(t, readTimeout, "the second room process in the log", func() bool {
		return len(roomPIDs(t, s)) == 2
	})
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
	s := startServer(t, "--room", "--maxforks=1", "--maxclients=3", "cat")
	a1, a2 := s.dial("/a"), s.dial("/a")
	echoOnce(t, a1, "one room")
	expectText(t, a2, "one room")
	for range 3 {
		if status := s.dialStatus("/b", nil); status != http.StatusTooManyRequests {
			t.Fatalf("a second room got %d, want 429", status)
		}
	}
	// The refusals gave their --maxclients slots back.
	a3 := s.dial("/a")
	echoOnce(t, a3, "three")
}

func TestRoomSIGTERMSends1001AndLeavesNoProcess(t *testing.T) {
	s := startServer(t, "--room", "--roomlinger=60000", "cat")
	var conns []*websocket.Conn
	for _, path := range []string{"/a", "/a", "/b", "/c"} {
		conns = append(conns, s.dial(path))
	}
	for _, c := range conns { // every client is seated before its 101
		send(t, c, websocket.TextMessage, "hi")
	}
	for i, lines := range []int{2, 2, 1, 1} { // both clients of /a get both lines
		for range lines {
			expectText(t, conns[i], "hi")
		}
	}
	conns[3].Close() // /c lingers with nobody in it
	pids := s.children()
	s.shutdownEndsEverything(conns[:3], pids)
}

// pythonScript writes an executable Python program into a temporary
// directory.
func pythonScript(t testing.TB, name, body string) string {
	t.Helper()
	python := requireTool(t, "python3")
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte("#!"+python+"\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// jsonRoomProgram tells everyone each event it gets, as the event's own
// JSON line in "data"; a message "raw:LINE" makes it write LINE as is, so
// the test speaks the protocol through it.
const jsonRoomProgram = `import sys, json
for line in sys.stdin:
    event = json.loads(line)
    if event["event"] == "message" and event.get("data", "").startswith("raw:"):
        print(event["data"][4:], flush=True)
    else:
        print(json.dumps({"data": line.strip()}), flush=True)
`

// roomEvent is an event as the JSON room program passes it on.
type roomEvent struct {
	Event, Client, Remote, Query, Data, Base64, Reason string
	Code                                               int
}

func expectEvent(t testing.TB, c *websocket.Conn, event string) roomEvent {
	t.Helper()
	_, text := receive(t, c)
	var e roomEvent
	if err := json.Unmarshal([]byte(text), &e); err != nil || e.Event != event {
		t.Fatalf("got %q, want a %s event", text, event)
	}
	return e
}

func TestRoomJSONProtocol(t *testing.T) {
	s := startServer(t, "--room=json", pythonScript(t, "room.py", jsonRoomProgram))
	a := s.dial("/chat?name=alice")
	joinA := expectEvent(t, a, "join")
	if joinA.Query != "name=alice" || !strings.HasPrefix(joinA.Remote, "127.0.0.1:") || joinA.Client == "" {
		t.Fatalf("join event %+v", joinA)
	}
	idA := joinA.Client
	b := s.dial("/chat")
	idB := expectEvent(t, a, "join").Client
	if got := expectEvent(t, b, "join").Client; got != idB || idB == idA {
		t.Fatalf("ids: a %q, b %q (b saw %q)", idA, idB, got)
	}

	send(t, a, websocket.TextMessage, "hello")
	for _, c := range []*websocket.Conn{a, b} {
		if e := expectEvent(t, c, "message"); e.Client != idA || e.Data != "hello" {
			t.Fatalf("message event %+v", e)
		}
	}
	send(t, b, websocket.BinaryMessage, "\x00\x01\xff")
	if e := expectEvent(t, a, "message"); e.Client != idB || e.Base64 != "AAH/" {
		t.Fatalf("binary message event %+v", e)
	}
	expectEvent(t, b, "message")

	raw := func(c *websocket.Conn, line string) { send(t, c, websocket.TextMessage, "raw:"+line) }
	raw(a, `{"to":["`+idB+`","gone","`+idB+`"],"data":"for b"}`)
	raw(a, `{"except":["`+idB+`"],"data":"not for b"}`)
	raw(a, `not json at all`)
	raw(a, `{"data":"x","close":"`+idB+`"}`)
	raw(a, `{"base64":"AAEC","to":["`+idA+`"]}`)
	raw(a, `{"data":"everyone"}`)
	expectText(t, b, "for b")
	expectText(t, b, "everyone") // and nothing between: not "not for b", no binary
	expectText(t, a, "not for b")
	if kind, data := receive(t, a); kind != websocket.BinaryMessage || data != "\x00\x01\x02" {
		t.Fatalf("got %q (type %d), want binary 00 01 02", data, kind)
	}
	expectText(t, a, "everyone")
	// Logged before "everyone" went out; the log comes through its own pipe.
	waitFor(t, readTimeout, "two invalid lines in the log", func() bool {
		return len(s.out.lines("invalid line from the room's process")) == 2
	})

	raw(a, `{"close":"`+idB+`","code":4000,"reason":"refused"}`)
	if code, reason := expectClose(t, b); code != 4000 || reason != "refused" {
		t.Fatalf("b closed with %d %q, want 4000 refused", code, reason)
	}
	if e := expectEvent(t, a, "leave"); e.Client != idB || e.Code != 4000 {
		t.Fatalf("leave event %+v, want b's with 4000", e)
	}
	c := s.dial("/chat")
	idC := expectEvent(t, c, "join").Client
	expectEvent(t, a, "join")
	a.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, "done"),
		time.Now().Add(time.Second))
	if e := expectEvent(t, c, "leave"); e.Client != idA || e.Code != 1000 || e.Reason != "done" {
		t.Fatalf("leave event %+v, want a's with 1000 done", e)
	}
	if idC == idA || idC == idB {
		t.Fatalf("a new client got an old id %q", idC)
	}
}

// slowRoomLines is what the slow-client test's process writes: 60 MB.
const slowRoomLines, slowRoomLineSize = 60000, 1000

func TestRoomSlowClientIsClosedAndOthersGetEverything(t *testing.T) {
	program := pythonScript(t, "flood.py", `import sys
sys.stdin.readline()
pad = "x" * `+strconv.Itoa(slowRoomLineSize-10)+`
for i in range(`+strconv.Itoa(slowRoomLines)+`):
    sys.stdout.write("%08d %s\n" % (i, pad))
`)
	s := startServer(t, "--room", "--roomslowms=1000", program)
	slow, reader := s.dial("/"), s.dial("/")
	before := s.figures()
	slowClose := make(chan string, 1)
	go func() {
		// The slow client reads nothing until the server has given up on
		// it, then reads what is left and the close frame.
		waitFor(t, 2*readTimeout, "the slow client to be closed", func() bool {
			return len(s.out.lines("too slow")) > 0
		})
		slow.SetReadDeadline(time.Now().Add(readTimeout))
		for {
			if _, _, err := slow.ReadMessage(); err != nil {
				slowClose <- err.Error()
				return
			}
		}
	}()
	send(t, reader, websocket.TextMessage, "go")
	peakKiB := before.rssKiB
	for i := range slowRoomLines {
		_, line := receive(t, reader)
		if want := fmt.Sprintf("%08d ", i); len(line) != slowRoomLineSize-1 || !strings.HasPrefix(line, want) {
			t.Fatalf("line %d: got %.20q... (%d bytes)", i, line, len(line))
		}
		if i%1000 == 0 {
			peakKiB = max(peakKiB, s.figures().rssKiB)
		}
	}
	if code, _ := expectClose(t, reader); code != websocket.CloseNormalClosure {
		t.Fatalf("reader closed with %d, want 1000 at the process's end", code)
	}
	if got := <-slowClose; !strings.Contains(got, "1008") || !strings.Contains(got, "too slow") {
		t.Fatalf("slow client ended with %q, want close 1008 too slow", got)
	}
	// 60 MB went through; had the server buffered it for the slow client,
	// its RSS would have grown by as much. Two clients x 1 MiB queues is
	// the bound on what is queued; the rest of the margin is the garbage
	// the GC lets pile up (2x the live heap) and the race detector's
	// shadow memory (measured: +15 MB, +28 MB under -race).
	growth := peakKiB - before.rssKiB
	t.Logf("closing figure: slow client: 60 MB written, server RSS %d KiB -> peak %d KiB (+%d KiB, race %v)",
		before.rssKiB, peakKiB, growth, raceEnabled)
	if growth > 48<<10 {
		t.Fatalf("server RSS grew by %d KiB while the process wrote 60 MB: output is not paced", growth)
	}
}

// manyRoomClients is the room size of the many-clients test.
const manyRoomClients = 5000

func TestRoomFiveThousandClientsEachGetTheBroadcast(t *testing.T) {
	// Each side, the test and the server, holds one socket per client.
	raiseFileLimit(t, manyRoomClients+500)
	s := startServer(t, "--room", "--maxforks=0", "cat")
	before := s.figures()
	conns := make([]*websocket.Conn, manyRoomClients)
	parallel(t, manyRoomClients, 32, func(i int) error {
		c, _, err := websocket.DefaultDialer.Dial(s.url("/lobby"), nil)
		conns[i] = c
		return err
	})
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	peak := s.figures()
	if len(s.children()) != 1 {
		t.Fatalf("%d processes for one room", len(s.children()))
	}
	send(t, conns[0], websocket.TextMessage, "hello, everyone")
	parallel(t, manyRoomClients, 256, func(i int) error {
		conns[i].SetReadDeadline(time.Now().Add(3 * readTimeout))
		if _, got, err := conns[i].ReadMessage(); err != nil || string(got) != "hello, everyone" {
			return fmt.Errorf("client %d: got %q, %v", i, got, err)
		}
		return nil
	})
	perClient := float64(peak.rssKiB-before.rssKiB) * 1024 / manyRoomClients
	t.Logf("closing figure: %d clients in one room all got the line; server RSS %d KiB -> %d KiB, %.0f bytes per client, fds %d -> %d (race %v)",
		manyRoomClients, before.rssKiB, peak.rssKiB, perClient, before.fds, peak.fds, raceEnabled)
}

// floodMessages is how many messages the flooding client sends at once.
const floodMessages = 20000

func TestRoomFloodingClientCannotStarveAnother(t *testing.T) {
	s := startServer(t, "--room", "cat")
	flooder, other := s.dial("/"), s.dial("/")
	go func() {
		// The flooder's own echoes go unread after a while: the room then
		// closes it as too slow, or the test ends first; both are fine.
		for i := range floodMessages {
			if flooder.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf("flood %d", i))) != nil {
				return
			}
		}
	}()
	expectText(t, other, "flood 0") // the flood is under way
	send(t, other, websocket.TextMessage, "my turn")
	seen := 1
	for {
		_, text := receive(t, other)
		if text == "my turn" {
			break
		}
		seen++
	}
	// The other client's message is taken in turn with the flooder's,
	// not after the whole flood.
	t.Logf("closing figure: %d of %d flood messages came before the other client's", seen, floodMessages)
	if seen >= floodMessages {
		t.Fatalf("the other client's message came after the whole flood (%d messages)", seen)
	}
}

func TestRoomMaxFrameSizeClosesOnlyThatClient(t *testing.T) {
	s := startServer(t, "--room", "--maxframesize=16", "cat")
	big, small := s.dial("/"), s.dial("/")
	send(t, big, websocket.TextMessage, strings.Repeat("x", 17))
	if code, _ := expectClose(t, big); code != websocket.CloseMessageTooBig {
		t.Fatalf("an oversized message closed with %d, want 1009", code)
	}
	echoOnce(t, small, "still here")
	if n := len(s.children()); n != 1 {
		t.Fatalf("%d room processes, want the one", n)
	}
}
