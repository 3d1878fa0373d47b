package libwebsocketd

import (
	"bufio"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/pipes"
)

// What a quiet client costs the server (issue 23): the live heap its
// session keeps while nothing moves, once its reader has parked. The
// clients are another process (this test binary again, as
// quietClientsHelper), so the heap measured is the server's alone, after
// a collection: what is live, not what the GC has yet to take.

// quietClients is how many quiet clients each test holds.
const quietClients = 200

// quietClientsEnv, when set, makes this test binary the clients' process:
// "URL COUNT ECHO" (ECHO: 1 to prove each connection live by a round
// trip, 0 to send nothing).
const quietClientsEnv = "WEBSOCKETD_TEST_QUIET_CLIENTS"

// BenchmarkQuietSessionHeap and BenchmarkQuietRoomClientHeap report it
// (go test -run='^$' -bench=Quiet -benchtime=1x ./libwebsocketd): a
// figure to watch, not a bound to assert, as make bench's idle rows are.
// Measured: 5.0 KB per session before issue 23's work, 3.3 KB after it;
// 2.7 and 1.6 KB per room client.
func BenchmarkQuietSessionHeap(b *testing.B) {
	b.ReportMetric(quietHeapPerClient(b, Config{Command: []string{"cat"}}, true), "heap-B/client")
}

func BenchmarkQuietRoomClientHeap(b *testing.B) {
	b.ReportMetric(quietHeapPerClient(b, Config{Command: []string{"cat"}, Room: "plain"}, false), "heap-B/client")
}

// quietHeapPerClient serves cfg, connects quietClients clients that then
// say nothing (after one round trip each with echo), and returns the
// growth of the server's live heap per client once every reader parked.
func quietHeapPerClient(t testing.TB, cfg Config, echo bool) float64 {
	if os.Getenv(quietClientsEnv) != "" {
		t.Skip("the clients' process")
	}
	if _, err := pipes.SharedWatcher(); err != nil {
		t.Skip("no shared watcher here: readers do not park")
	}
	h, err := NewHandler(cfg, NewLogger(io.Discard, LevelAccess, "text"))
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(h)
	defer server.Close()
	url := "ws" + strings.TrimPrefix(server.URL, "http") + "/"
	startQuietClients(t, url, 1, echo).end() // the first handshake's one-off costs
	waitUntil(t, "the first session's end", func() bool { return sessionsParked(h) == -1 })
	before := liveHeap()
	clients := startQuietClients(t, url, quietClients, echo)
	defer clients.end()
	waitUntil(t, "every reader parked", func() bool { return sessionsParked(h) == quietClients })
	perClient := float64(liveHeap()-before) / quietClients
	t.Logf("%.0f bytes of live heap per quiet client", perClient)
	return perClient
}

// liveHeap is the heap that is live: what is left after a collection. Two
// collections, so that what sync.Pools hold (kept for one more) is gone.
func liveHeap() uint64 {
	var stats runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}

// sessionsParked is how many of h's sessions have their reader parked,
// or -1 when h has none.
func sessionsParked(h *Handler) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sessions) == 0 {
		return -1
	}
	parked := 0
	for live := range h.sessions {
		if s, ok := live.(*session); ok && s.sock.parking.isParked() {
			parked++
		}
	}
	return parked
}

func (rp *readerPark) isParked() bool {
	if rp == nil {
		return false
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.parked
}

// quietClientsProc is the clients' process.
type quietClientsProc struct {
	t     testing.TB
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startQuietClients starts a process that connects count clients to url
// and returns once each is connected (and with echo has had its round
// trip). They stay until end.
func startQuietClients(t testing.TB, url string, count int, echo bool) *quietClientsProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestQuietClientsHelper$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %t", quietClientsEnv, url, count, echo))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &quietClientsProc{t: t, cmd: cmd, stdin: stdin}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		p.end()
		t.Fatalf("the clients' process said %q, want ready", line)
	}
	return p
}

// end has the clients' process close its connections and exit.
func (p *quietClientsProc) end() {
	p.stdin.Close()
	if err := p.cmd.Wait(); err != nil {
		p.t.Errorf("the clients' process: %v", err)
	}
}

// TestQuietClientsHelper is the clients' process of startQuietClients; in
// a normal run it does nothing.
func TestQuietClientsHelper(t *testing.T) {
	spec := os.Getenv(quietClientsEnv)
	if spec == "" {
		return
	}
	var url string
	var count int
	var echo bool
	if _, err := fmt.Sscanf(spec, "%s %d %t", &url, &count, &echo); err != nil {
		t.Fatalf("%s=%q: %v", quietClientsEnv, spec, err)
	}
	conns := make([]*websocket.Conn, 0, count)
	for i := range count {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if echo {
			roundTrip(t, c, "quiet "+strconv.Itoa(i))
		}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin) // until the test is done
	for _, c := range conns {
		c.Close()
	}
}

func roundTrip(t testing.TB, c *websocket.Conn, message string) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := c.WriteMessage(websocket.TextMessage, []byte(message)); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.ReadMessage(); err != nil || string(got) != message {
		t.Fatalf("round trip of %q: got %q, %v", message, got, err)
	}
}
