package libwebsocketd

import (
	"bytes"
	"testing"

	"github.com/gorilla/websocket"
)

func TestLeadingPingOrPong(t *testing.T) {
	ping := keyedFrame(finBit|websocket.PingMessage, 5, "hello")
	pong := keyedFrame(finBit|websocket.PongMessage, 0, "")
	longest := string(bytes.Repeat([]byte("p"), maxControlPayload))
	cases := []struct {
		name    string
		buf     []byte
		opcode  byte
		payload string
		size    int
	}{
		{"ping", ping, opcodePing, "hello", len(ping)},
		{"empty pong", pong, opcodePong, "", len(pong)},
		{"ping, then more", append(append([]byte{}, ping...), pong...), opcodePing, "hello", len(ping)},
		{"longest ping", keyedFrame(finBit|websocket.PingMessage, maxControlPayload, longest),
			opcodePing, longest, 6 + maxControlPayload},
		// Everything else is gorilla's to read: a (0) marks not taken.
		{"cut payload", ping[:len(ping)-1], 0, "", 0},
		{"cut mask key", ping[:4], 0, "", 0},
		{"one byte", ping[:1], 0, "", 0},
		{"unmasked", []byte{finBit | websocket.PingMessage, 0}, 0, "", 0},
		{"not final", keyedFrame(websocket.PingMessage, 1, "x"), 0, "", 0},
		{"reserved bit", keyedFrame(finBit|0x40|websocket.PingMessage, 1, "x"), 0, "", 0},
		{"too long", keyedFrame(finBit|websocket.PingMessage, 126, ""), 0, "", 0},
		{"text", keyedFrame(finBit|websocket.TextMessage, 1, "x"), 0, "", 0},
		{"close", keyedFrame(finBit|websocket.CloseMessage, 0, ""), 0, "", 0},
		{"empty", nil, 0, "", 0},
	}
	for _, c := range cases {
		opcode, payload, size, ok := leadingPingOrPong(c.buf)
		if ok != (c.opcode != 0) || opcode != c.opcode || string(payload) != c.payload || size != c.size {
			t.Errorf("%s: got %#x %q %d %v, want %#x %q %d", c.name, opcode, payload, size, ok,
				c.opcode, c.payload, c.size)
		}
	}
}

// FuzzLeadingPingOrPong: whatever the bytes, a frame taken fits in them
// and is a control frame whose payload fits its length byte.
func FuzzLeadingPingOrPong(f *testing.F) {
	f.Add(keyedFrame(finBit|websocket.PingMessage, 2, "hi"))
	f.Add(keyedFrame(finBit|websocket.TextMessage, 2, "hi"))
	f.Fuzz(func(t *testing.T, buf []byte) {
		opcode, payload, size, ok := leadingPingOrPong(buf)
		if !ok {
			return
		}
		if size > len(buf) || size != 6+len(payload) || int(buf[1]&lengthMask) != len(payload) {
			t.Fatalf("frame of %d bytes taken from %d, payload %d", size, len(buf), len(payload))
		}
		if opcode != opcodePing && opcode != opcodePong {
			t.Fatalf("opcode %#x taken", opcode)
		}
	})
}

// BenchmarkWholeMessageBuffered looks through 32 buffered frames, as the
// stdin pump does after each message of a burst.
func BenchmarkWholeMessageBuffered(b *testing.B) {
	var burst []byte
	for range 32 {
		burst = append(burst, clientFrame(textFirst, "part")...)
	}
	burst = append(burst, clientFrame(contFinal, "end")...)
	b.ReportAllocs()
	for b.Loop() {
		if !wholeMessageBuffered(burst) {
			b.Fatal("a whole message is there")
		}
	}
}
