package libwebsocketd

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// roomSocket upgrades a loopback connection the way a room client's is,
// with plain frames or not, and returns the server's socket and the
// client, a gorilla client that compresses if compress.
func roomSocket(t *testing.T, plain, compress bool) (*socket, *websocket.Conn) {
	t.Helper()
	sockets := make(chan *socket, 1)
	upgrader := websocket.Upgrader{EnableCompression: compress}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := &upgradeWriter{ResponseWriter: w}
		conn, err := upgrader.Upgrade(up, r, nil)
		if err != nil {
			t.Error(err)
			close(sockets)
			return
		}
		up.plainFrames = plain
		sockets <- newSocket(conn, up.hijacked)
	}))
	t.Cleanup(srv.Close)
	dialer := websocket.Dialer{EnableCompression: compress, HandshakeTimeout: 10 * time.Second}
	client, _, err := dialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	sock := <-sockets
	if sock == nil {
		t.FailNow()
	}
	t.Cleanup(func() { sock.close() })
	return sock, client
}

// batchMessage is a message as a room's client should get it.
type batchMessage struct {
	kind int
	data string
}

// batchTestMessages cover every length of frame header, both kinds, and
// text that is not UTF-8.
func batchTestMessages() []batchMessage {
	var messages []batchMessage
	for _, n := range []int{0, 1, 125, 126, 0xffff, 0x10000, 70000} {
		messages = append(messages, batchMessage{websocket.TextMessage, strings.Repeat("t", n)},
			batchMessage{websocket.BinaryMessage, strings.Repeat("\xff", n)})
	}
	return append(messages, batchMessage{websocket.TextMessage, "bad \xff byte"})
}

// batchesOf frames messages in batches of three, as a room would.
func batchesOf(messages []batchMessage, compress bool) []*roomBatch {
	var batches []*roomBatch
	var bb batchBuilder
	for i, m := range messages {
		bb.add(m.kind, []byte(m.data), compress)
		if i%3 == 2 || i == len(messages)-1 {
			batches = append(batches, bb.take())
		}
	}
	return batches
}

// A room's batches reach a client whole and in order, each message with
// its kind, text made valid UTF-8: as they are (plain frames), and
// through gorilla, compressed or not.
func TestRoomBatchesReachAClientWhole(t *testing.T) {
	for _, tc := range []struct {
		name            string
		plain, compress bool
	}{
		{name: "plain frames", plain: true},
		{name: "through gorilla"},
		{name: "compressed", compress: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sock, client := roomSocket(t, tc.plain, tc.compress)
			messages := batchTestMessages()
			sent := make(chan error, 1)
			go func() { sent <- sock.writeRoom(batchesOf(messages, tc.compress)) }()
			client.SetReadDeadline(time.Now().Add(10 * time.Second))
			for i, want := range messages {
				kind, data, err := client.ReadMessage()
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				wantData := want.data
				if want.kind == websocket.TextMessage {
					wantData = strings.ToValidUTF8(wantData, "\uFFFD")
				}
				if kind != want.kind || string(data) != wantData {
					t.Fatalf("message %d: kind %d, %d bytes %.20q; want kind %d, %d bytes %.20q",
						i, kind, len(data), data, want.kind, len(wantData), wantData)
				}
			}
			if err := receive(t, sent, "the batches to be written"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// deadlineCounter counts the write deadlines set on a connection: gorilla
// sets one for each message it writes.
type deadlineCounter struct {
	net.Conn
	mu        sync.Mutex
	deadlines int
}

func (c *deadlineCounter) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadlines++
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

// A client that does not compress gets a room's batches past gorilla, all
// in one write: not a pass through gorilla for each message and client
// (a lock, a map look-up, a write deadline and a copy each), which was
// most of what a room cost at fan-out.
func TestRoomBatchesGoToAPlainClientInOneWrite(t *testing.T) {
	sock, client := roomSocket(t, true, false)
	counter := &deadlineCounter{Conn: sock.wire.Conn}
	sock.wire.Conn = counter
	messages := make([]batchMessage, 100)
	for i := range messages {
		messages[i] = batchMessage{websocket.TextMessage, "line"}
	}
	go func() {
		for {
			if _, _, err := client.ReadMessage(); err != nil {
				return
			}
		}
	}()
	if err := sock.writeRoom(batchesOf(messages, false)); err != nil {
		t.Fatal(err)
	}
	if counter.deadlines != 1 {
		t.Errorf("100 messages in %d batches set %d write deadlines, want 1 for the one write",
			len(messages)/3+1, counter.deadlines)
	}
}

// No frame follows a close frame onto the wire, though gorilla, which
// sees to that for its own writes, does not see a room's.
func TestWireConnWritesNoFrameAfterAClose(t *testing.T) {
	rec := &recordingConn{}
	wire := &wireConn{Conn: rec}
	closeFrame := string([]byte{0x88, 2, 0x03, 0xe8})
	wire.Write([]byte(closeFrame))
	err := wire.writeFrames(net.Buffers{[]byte("\x81\x01x")}, func() time.Time { return time.Time{} })
	if err != websocket.ErrCloseSent {
		t.Errorf("writeFrames after a close frame: %v, want ErrCloseSent", err)
	}
	if got := strings.Join(rec.writes, ""); got != closeFrame {
		t.Errorf("the wire got %q, want only the close frame", got)
	}
}

// isCloseFrame knows a close frame gorilla writes from a data frame that
// merely starts like one.
func TestIsCloseFrame(t *testing.T) {
	for _, tc := range []struct {
		frame []byte
		is    bool
	}{
		{[]byte{0x88, 0}, true},
		{append([]byte{0x88, 5, 0x03, 0xe8}, "bye"...), true},
		{[]byte{0x88, 5, 0x03}, false}, // a piece of something longer
		{[]byte{0x81, 0}, false},
		{[]byte{0x88}, false},
	} {
		if is := isCloseFrame(tc.frame); is != tc.is {
			t.Errorf("isCloseFrame(% x) = %v, want %v", tc.frame, is, tc.is)
		}
	}
}

// A seat's writer sends all that was queued while it was busy in one go.
func TestSeatSendsItsWholeQueueInOneGo(t *testing.T) {
	rm := &room{log: slog.New(slog.DiscardHandler), limits: roomLimits{queue: 1 << 20, slow: time.Minute}}
	st := newSeat(rm, "busy")
	out := newFakeOut()
	st.startOutput(nil, out, rm.log)
	for _, line := range []string{"one", "two", "three", "four"} {
		rm.deliver(rm.prepare(websocket.TextMessage, []byte(line)), []*seat{st})
		if line == "one" {
			waitUntil(t, "the writer to take the first batch", func() bool {
				st.mu.Lock()
				defer st.mu.Unlock()
				return len(st.queue) == 0
			})
		}
	}
	st.close(websocket.CloseNormalClosure, "", time.Minute, false)
	close(out.hold)
	receive(t, out.ended, "the seat's output side to end")
	out.mu.Lock()
	defer out.mu.Unlock()
	if got := strings.Join(joinEach(out.calls), " | "); got != "one | two three four" {
		t.Errorf("sends: %s; want one | two three four", got)
	}
}

func joinEach(calls [][]string) []string {
	var joined []string
	for _, call := range calls {
		joined = append(joined, strings.Join(call, " "))
	}
	return joined
}

// A plain room's messages that are ready together are framed into one
// batch; the one that has nothing ready after it hands them over.
func TestRoomGathersMessagesReadyTogether(t *testing.T) {
	rm := &room{log: slog.New(slog.DiscardHandler), limits: roomLimits{queue: 1 << 20, slow: time.Minute},
		seats: map[string]*seat{}}
	st := newSeat(rm, "one")
	rm.seats[st.id] = st
	rm.broadcast(websocket.TextMessage, []byte("a"), true)
	rm.broadcast(websocket.TextMessage, []byte("b"), true)
	st.mu.Lock()
	queued := len(st.queue)
	st.mu.Unlock()
	if queued != 0 {
		t.Fatalf("%d batches queued while more messages were ready, want none", queued)
	}
	rm.broadcast(websocket.TextMessage, []byte("c"), false)
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.queue) != 1 || !bytes.Equal(st.queue[0].frames, []byte("\x81\x01a\x81\x01b\x81\x01c")) {
		t.Fatalf("queued %d batches, want one of the three frames", len(st.queue))
	}
}

// A batch is handed over once it is full, however many messages are
// ready after it: a client need not wait for a long burst to end.
func TestRoomHandsOverAFullBatch(t *testing.T) {
	rm := &room{log: slog.New(slog.DiscardHandler), limits: roomLimits{queue: 1 << 30, slow: time.Minute},
		seats: map[string]*seat{}}
	st := newSeat(rm, "one")
	rm.seats[st.id] = st
	line := bytes.Repeat([]byte("x"), 1000)
	for range 2 * roomBatchBytes / len(line) {
		rm.broadcast(websocket.TextMessage, line, true)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.queue) < 1 {
		t.Fatalf("nothing queued after %d bytes of ready messages", 2*roomBatchBytes)
	}
	for _, b := range st.queue {
		if len(b.frames) > roomBatchBytes+len(line)+4 {
			t.Errorf("a batch of %d bytes, over the %d of a full one", len(b.frames), roomBatchBytes)
		}
	}
}
