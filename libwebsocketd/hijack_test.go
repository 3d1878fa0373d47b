package libwebsocketd

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const (
	textFinal = finBit | websocket.TextMessage
	textFirst = websocket.TextMessage // not final
	contFinal = finBit                // continuation, final
	pingFrame = finBit | websocket.PingMessage
	closeFrm  = finBit | websocket.CloseMessage
)

func TestWholeMessageBuffered(t *testing.T) {
	cat := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
	big := strings.Repeat("x", 300)
	huge := strings.Repeat("y", 70000)
	whole := cat(clientFrame(textFinal, "a"))
	cases := []struct {
		name string
		buf  []byte
		want bool
	}{
		{"nothing", nil, false},
		{"one byte", whole[:1], false},
		{"header only", whole[:6], false},
		{"whole message", whole, true},
		{"16-bit length", clientFrame(textFinal, big), true},
		{"16-bit length cut", clientFrame(textFinal, big)[:100], false},
		{"16-bit length header cut", clientFrame(textFinal, big)[:3], false},
		{"64-bit length", clientFrame(textFinal, huge), true},
		{"64-bit length header cut", clientFrame(textFinal, huge)[:9], false},
		{"first fragment only", clientFrame(textFirst, "a"), false},
		{"all fragments", cat(clientFrame(textFirst, "a"), clientFrame(contFinal, "b")), true},
		{"ping, then message", cat(clientFrame(pingFrame, "p"), whole), true},
		{"ping only", clientFrame(pingFrame, "p"), false},
		{"close, then message", cat(clientFrame(closeFrm, ""), whole), false},
		{"message, then partial", cat(whole, whole[:3]), true},
	}
	for _, c := range cases {
		if got := wholeMessageBuffered(c.buf); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// countingConn counts the reads and the writes that reach the network.
type countingConn struct {
	net.Conn
	mu            sync.Mutex
	reads, writes int
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

func (c *countingConn) readCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// upgradeOnce serves one upgrade the way Handler does and hands the
// server's end to the test.
func upgradeOnce(t *testing.T) (net.Conn, chan *socket, chan *upgradeWriter) {
	server, ups := make(chan *socket, 1), make(chan *upgradeWriter, 1)
	h, err := NewHandler(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := &upgradeWriter{ResponseWriter: w}
		conn, err := h.upgrader.Upgrade(up, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		ups <- up
		server <- newSocket(conn, up.hijacked)
	}))
	t.Cleanup(srv.Close)
	return sendUpgrade(t, srv.URL), server, ups
}

// sendUpgrade connects to a test server and sends a WebSocket upgrade
// request; the response is left for the caller to read.
func sendUpgrade(tb testing.TB, url string) net.Conn {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	client, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { client.Close() })
	client.SetDeadline(time.Now().Add(20 * time.Second))
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if err := req.Write(client); err != nil {
		tb.Fatal(err)
	}
	return client
}

// TestGorillaUsesOurConnAndReader fails if gorilla/websocket stops reading
// through the reader, or writing through the connection, that our Hijack
// hands it (see hijack.go): read-ahead and batching would silently stop.
func TestGorillaUsesOurConnAndReader(t *testing.T) {
	client, server, ups := upgradeOnce(t)
	reply := bufio.NewReader(client)
	resp, err := http.ReadResponse(reply, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	sock, up := <-server, <-ups
	if sock.conn.UnderlyingConn() != net.Conn(up.wire) {
		t.Fatalf("gorilla writes through %T, not our wireConn", sock.conn.UnderlyingConn())
	}
	// Three messages in one write arrive in one read.
	burst := bytes.Join([][]byte{clientFrame(textFinal, "one"), clientFrame(textFinal, "two"),
		clientFrame(textFinal, "three")}, nil)
	if _, err := client.Write(burst); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"one", "two", "three"} {
		got, err := sock.readMessage()
		if err != nil || string(got) != want {
			t.Fatalf("message %d: got %q, %v; want %q", i, got, err, want)
		}
		if more := sock.moreBuffered(); more != (i < 2) {
			t.Fatalf("after message %d, moreBuffered() = %v: gorilla does not read through our reader", i, more)
		}
	}
	// A burst written with more set leaves in one write to the network.
	counter := &countingConn{Conn: up.wire.Conn}
	up.wire.Conn = counter
	for i, text := range []string{"a", "b", "c"} {
		if err := sock.writeMessage(websocket.TextMessage, []byte(text), i < 2); err != nil {
			t.Fatal(err)
		}
	}
	if n := counter.count(); n != 1 {
		t.Errorf("a burst of 3 messages took %d writes, want 1", n)
	}
	for _, want := range []string{"a", "b", "c"} {
		frame := make([]byte, 3)
		if _, err := reply.Read(frame); err != nil || frame[0] != textFinal || string(frame[2:]) != want {
			t.Fatalf("got frame % x (%v), want text %q", frame, err, want)
		}
	}
}
