package libwebsocketd

import (
	"bytes"
	"testing"

	"github.com/gorilla/websocket"
)

func TestWireRoundTrips(t *testing.T) {
	for _, kind := range []int{websocket.TextMessage, websocket.BinaryMessage} {
		gotKind, data, err := parseWireMessage(wireMessage(kind, []byte("héllo\x00")))
		if err != nil || gotKind != kind || string(data) != "héllo\x00" {
			t.Errorf("kind %d: got %d %q %v", kind, gotKind, data, err)
		}
	}
	end := roomEnd{Code: 1011, Reason: "exit status 2", Handover: true}
	if got, err := parseWireEnd(wireEnd(end)[1:]); err != nil || got != end {
		t.Errorf("end: got %+v %v, want %+v", got, err, end)
	}
	if node, has, err := parsePresence(wirePresence("N1", true)); err != nil || node != "N1" || !has {
		t.Errorf("presence: got %q %v %v", node, has, err)
	}
	for _, bad := range [][]byte{nil, []byte("x"), []byte("1"), bytes.Repeat([]byte("1"), 65)} {
		if _, _, err := parsePresence(bad); err == nil {
			t.Errorf("presence %q accepted", bad)
		}
	}
	for _, bad := range []string{"", "{", `{"code":99}`, `{"code":1000,"reason":"` + string(bytes.Repeat([]byte("r"), 124)) + `"}`} {
		if _, err := parseWireEnd([]byte(bad)); err == nil {
			t.Errorf("end %q accepted", bad)
		}
	}
}

// FuzzClusterWire: whatever another node (or anyone who can publish on
// NATS) sends, the parsers return an error or a value within bounds.
func FuzzClusterWire(f *testing.F) {
	f.Add([]byte("thello"))
	f.Add([]byte("b\x00\xff"))
	f.Add(wireEnd(roomEnd{Code: 1000, Handover: true}))
	f.Add(wirePresence("NODE", false))
	f.Add([]byte(`e{"code":4999,"reason":"x","handover":false,"more":1}`))
	f.Fuzz(func(t *testing.T, wire []byte) {
		if kind, data, err := parseWireMessage(wire); err == nil && (len(data) != len(wire)-1 ||
			(kind != websocket.TextMessage && kind != websocket.BinaryMessage)) {
			t.Fatalf("message %q: kind %d, %d bytes", wire, kind, len(data))
		}
		if len(wire) > 0 {
			if end, err := parseWireEnd(wire[1:]); err == nil && (end.Code < 1000 || end.Code > 4999 || len(end.Reason) > 123) {
				t.Fatalf("end %q: %+v", wire, end)
			}
		}
		if node, _, err := parsePresence(wire); err == nil && (node == "" || len(node) > 63) {
			t.Fatalf("presence %q: node %q", wire, node)
		}
	})
}
