package libwebsocketd

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"net"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"
)

// fragmented is a binary message sent in fragments of size bytes, as
// gorilla's client sends a big one.
func fragmented(message []byte, size int) []byte {
	var frames [][]byte
	for first := 0; first < len(message); first += size {
		opcode := byte(0) // continuation
		if first == 0 {
			opcode = websocket.BinaryMessage
		}
		if first+size >= len(message) {
			opcode |= finBit
		}
		frames = append(frames, clientFrame(opcode, string(message[first:min(first+size, len(message))])))
	}
	return bytes.Join(frames, nil)
}

// upgradedSocket is the server's end of an upgrade, able to park, and the
// client's end, the upgrade's response read.
func upgradedSocket(t *testing.T) (net.Conn, *socket, *upgradeWriter, chan struct{}) {
	client, server, ups := upgradeOnce(t)
	resp, err := http.ReadResponse(bufio.NewReader(client), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	sock, up := <-server, <-ups
	resumed := make(chan struct{}, 1)
	sock.parkWith(resumeSignal(resumed))
	if sock.parking == nil {
		t.Skip("readers do not park here, so their buffer never grows")
	}
	t.Cleanup(func() { sock.close() })
	return client, sock, up, resumed
}

// A client that sends in bulk is read through the burst-sized buffer once
// a read has filled the small one: a 16 KiB message in 4 KiB fragments is
// then one read, where through 2 KiB it took eight. What the small buffer
// holds unread when they change (most of 40 small messages) moves along,
// in order.
func TestBusyClientIsReadThroughABigBuffer(t *testing.T) {
	client, sock, up, _ := upgradedSocket(t)
	counter := &countingConn{Conn: up.wire.Conn}
	up.wire.Conn = counter
	rng := rand.New(rand.NewPCG(1, 2))
	var messages [][]byte
	var wire []byte
	for i := range 43 {
		size := 64
		if i >= 40 {
			size = 16 << 10
		}
		message := make([]byte, size)
		for j := range message {
			message[j] = byte(rng.Uint32())
		}
		messages = append(messages, message)
		wire = append(wire, fragmented(message, 4<<10)...)
	}
	if _, err := client.Write(wire); err != nil {
		t.Fatal(err)
	}
	readsBefore := 0
	for i, want := range messages {
		if i == 41 {
			readsBefore = counter.readCount()
		}
		got, err := sock.readMessage()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("message %d: %d bytes (%v), not the %d sent", i, len(got), err, len(want))
		}
	}
	if reads := counter.readCount() - readsBefore; reads > 2 {
		t.Errorf("the last two messages (32 KiB, all sent) took %d reads, want 1 or 2", reads)
	}
	if size := sock.reader.Size(); size != burstReadBufferSize {
		t.Errorf("a busy client's read buffer is %d bytes, want %d", size, burstReadBufferSize)
	}
}

// A client that sends little keeps the small buffer.
func TestQuietClientKeepsTheSmallBuffer(t *testing.T) {
	client, sock, _, _ := upgradedSocket(t)
	for i := range 3 {
		if _, err := client.Write(clientFrame(textFinal, "hello")); err != nil {
			t.Fatal(err)
		}
		if got, err := sock.readMessage(); err != nil || string(got) != "hello" {
			t.Fatalf("message %d: %q, %v", i, got, err)
		}
	}
	// Small: a pooled one, or net/http's, which the upgrade took over.
	if size := sock.reader.Size(); size >= burstReadBufferSize {
		t.Errorf("a quiet client's read buffer is %d bytes, want a small one", size)
	}
}

// A parked reader gives its big buffer back and starts small again.
func TestParkedReaderStartsSmallAgain(t *testing.T) {
	client, sock, _, resumed := upgradedSocket(t)
	big := make([]byte, 16<<10)
	for range 2 {
		if _, err := client.Write(fragmented(big, 4<<10)); err != nil {
			t.Fatal(err)
		}
		if _, err := sock.readMessage(); err != nil {
			t.Fatal(err)
		}
	}
	if size := sock.reader.Size(); size != burstReadBufferSize {
		t.Fatalf("the read buffer did not grow: %d bytes", size)
	}
	if !sock.parkIfQuiet() {
		t.Fatal("a quiet reader did not park")
	}
	if _, err := client.Write(clientFrame(textFinal, "back")); err != nil {
		t.Fatal(err)
	}
	<-resumed
	if size := sock.reader.Size(); size >= burstReadBufferSize || sock.wire.readFilled() {
		t.Errorf("after parking: a %d-byte buffer (want a small one), filled %v (want false)",
			size, sock.wire.readFilled())
	}
	if got, err := sock.readMessage(); err != nil || string(got) != "back" {
		t.Fatalf("after parking: %q, %v", got, err)
	}
}

// resumeSignal is a reader's loop that only says it ran.
type resumeSignal chan struct{}

func (r resumeSignal) run() { r <- struct{}{} }
