package libwebsocketd

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// recordingConn keeps every write it gets, each as it came.
type recordingConn struct {
	net.Conn
	writes []string
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, string(p))
	return len(p), nil
}

func (c *recordingConn) Close() error                     { return nil }
func (c *recordingConn) SetWriteDeadline(time.Time) error { return nil }

func TestWireConnHoldsBursts(t *testing.T) {
	rec := &recordingConn{}
	wire := &wireConn{Conn: rec}
	write := func(s string) {
		t.Helper()
		if n, err := wire.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	write("direct")
	wire.hold(true)
	write("a")
	write("b")
	if len(rec.writes) != 1 {
		t.Fatalf("held writes went out: %q", rec.writes)
	}
	wire.hold(false)
	write("c") // not holding: goes out, after what was held, in one write
	wire.hold(true)
	write("d")
	if err := wire.flush(); err != nil {
		t.Fatal(err)
	}
	write("e") // still holding
	big := strings.Repeat("x", corkLimit)
	write(big) // too big to hold: goes out at once with what was held
	want := []string{"direct", "abc", "d", "e", big}
	if got := strings.Join(rec.writes, "|"); got != strings.Join(want, "|") {
		t.Errorf("writes reached the network as %.40q, want %.40q", rec.writes, want)
	}
	if wire.held != nil {
		t.Error("a buffer is held with nothing in it")
	}
}

func TestWireConnCloseSendsWhatIsHeld(t *testing.T) {
	rec := &recordingConn{}
	wire := &wireConn{Conn: rec}
	wire.hold(true)
	wire.Write([]byte("last frame"))
	wire.Close()
	if !bytes.Equal([]byte(strings.Join(rec.writes, "")), []byte("last frame")) {
		t.Errorf("close sent %q, want the held frame", rec.writes)
	}
}

// readServerFrame reads one whole unmasked frame, as a server sends it.
func readServerFrame(t *testing.T, r *bufio.Reader) []byte {
	t.Helper()
	head := make([]byte, 2, 10)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	length := uint64(head[1] & lengthMask)
	if extra := map[uint64]int{126: 2, 127: 8}[length]; extra > 0 {
		head = head[:2+extra]
		if _, err := io.ReadFull(r, head[2:]); err != nil {
			t.Fatal(err)
		}
		length = 0
		for _, b := range head[2:] {
			length = length<<8 | uint64(b)
		}
	}
	frame := append(head, make([]byte, length)...)
	if _, err := io.ReadFull(r, frame[len(head):]); err != nil {
		t.Fatal(err)
	}
	return frame
}

// The frames the socket builds past gorilla are the ones gorilla builds,
// byte for byte, for every length encoding and for a payload too big to
// hold.
func TestFramesPastGorillaAreGorillas(t *testing.T) {
	client, server, _ := upgradeOnce(t)
	reply := bufio.NewReader(client)
	if resp, err := http.ReadResponse(reply, nil); err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	sock := <-server
	for _, size := range []int{0, 1, 125, 126, 4096, 65535, 65536, corkLimit + 1} {
		for _, kind := range []int{websocket.TextMessage, websocket.BinaryMessage} {
			payload := bytes.Repeat([]byte{'a' + byte(size%26)}, size)
			var frames [2][]byte
			for i, raw := range []bool{false, true} {
				sock.rawFrames = raw
				wrote := make(chan error, 1)
				go func() { wrote <- sock.writeMessage(kind, payload, false) }() // a big one waits for the reader
				frames[i] = readServerFrame(t, reply)
				if err := <-wrote; err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(frames[0], frames[1]) {
				t.Errorf("%d bytes of kind %d: framed as % .12x, gorilla frames % .12x", size, kind, frames[1], frames[0])
			}
		}
	}
}

// A process's output leaves through frames built past gorilla (when the
// client does not compress): gorilla's WriteMessage costs an allocation
// (its pooled write buffer's wrapper), a write deadline and two locks per
// message. So an echoed message costs one allocation, gorilla's reader,
// where it cost two.
func TestProcessOutputIsFramedPastGorilla(t *testing.T) {
	if raceDetector {
		t.Skip("allocations are not counted under the race detector")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the echo runs through cat, a Unix program")
	}
	client, reply := echoServer(t, Config{})
	const burst, size = 32, 60
	frames := bytes.Repeat(clientFrame(textFinal, strings.Repeat("x", size)), burst)
	echoed := make([]byte, burst*(2+size))
	echo := func() {
		if _, err := client.Write(frames); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(reply, echoed); err != nil {
			t.Fatal(err)
		}
	}
	echo()
	if want := bytes.Repeat(append([]byte{textFinal, size}, strings.Repeat("x", size)...), burst); !bytes.Equal(echoed, want) {
		t.Fatalf("echoed % .8x, want % .8x", echoed, want)
	}
	perMessage := testing.AllocsPerRun(50, echo) / burst
	if perMessage >= 1.5 {
		t.Errorf("%.2f allocations per echoed message, want 1 (gorilla's reader)", perMessage)
	}
}

// No data frame built past gorilla follows a close frame (RFC 6455
// section 5.5.1), and what was held before it goes out first.
func TestNoFramePastGorillaAfterClose(t *testing.T) {
	rec := &recordingConn{}
	wire := &wireConn{Conn: rec}
	noBound := func() time.Time { return time.Time{} }
	if err := wire.writeFrame(websocket.TextMessage, []byte("held"), true, noBound); err != nil {
		t.Fatal(err)
	}
	closeFrame := []byte{0x80 | websocket.CloseMessage, 2, 0x03, 0xe8}
	wire.Write(closeFrame)
	if err := wire.writeFrame(websocket.TextMessage, []byte("late"), false, noBound); err != websocket.ErrCloseSent {
		t.Errorf("a frame after the close frame: %v, want ErrCloseSent", err)
	}
	want := []string{"\x81\x04held" + string(closeFrame)}
	if strings.Join(rec.writes, "|") != strings.Join(want, "|") {
		t.Errorf("writes %q, want %q", rec.writes, want)
	}
}
