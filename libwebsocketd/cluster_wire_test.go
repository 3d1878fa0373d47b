package libwebsocketd

import (
	"bytes"
	"strconv"
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
	f.Add(wireOutput(7, websocket.BinaryMessage, []byte("x")))
	f.Add(encodeReplay(9, replayItems(3, 8, 9), 1<<20))
	f.Fuzz(func(t *testing.T, wire []byte) {
		if kind, seq, data, err := parseWireOutput(wire); err == nil && (len(data) > len(wire) ||
			(seq == 0 && len(data) != len(wire)-1) || (kind != websocket.TextMessage && kind != websocket.BinaryMessage)) {
			t.Fatalf("output %q: kind %d, number %d, %d bytes", wire, kind, seq, len(data))
		}
		if last, items, err := parseReplay(wire); err == nil {
			var prev uint64
			for _, it := range items {
				if it.seq <= prev || it.seq > last || it.length != len(it.value.data) {
					t.Fatalf("replay %q: item %d after %d, last %d", wire, it.seq, prev, last)
				}
				prev = it.seq
			}
		}
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

// replayItems are text messages numbered seqs, each its number as data.
func replayItems(seqs ...uint64) []replayItem[wireItem] {
	var items []replayItem[wireItem]
	for _, seq := range seqs {
		data := []byte(strconv.FormatUint(seq, 10))
		items = append(items, replayItem[wireItem]{seq: seq, length: len(data),
			value: wireItem{kind: websocket.TextMessage, data: data}})
	}
	return items
}

func TestNumberedOutputRoundTrips(t *testing.T) {
	for _, kind := range []int{websocket.TextMessage, websocket.BinaryMessage} {
		gotKind, seq, data, err := parseWireOutput(wireOutput(1<<40, kind, []byte("héllo")))
		if err != nil || gotKind != kind || seq != 1<<40 || string(data) != "héllo" {
			t.Errorf("kind %d: got %d %d %q %v", kind, gotKind, seq, data, err)
		}
		// Not numbered: replay is off on the owner.
		if gotKind, seq, data, err := parseWireOutput(wireOutput(0, kind, []byte("x"))); err != nil ||
			gotKind != kind || seq != 0 || string(data) != "x" {
			t.Errorf("kind %d unnumbered: got %d %d %q %v", kind, gotKind, seq, data, err)
		}
	}
	if _, _, _, err := parseWireOutput([]byte("T1234567")); err == nil {
		t.Error("a numbered message cut short was accepted")
	}
}

func TestReplayAnswerRoundTripsAndFitsTheMaxPayload(t *testing.T) {
	items := replayItems(5, 6, 7, 10)
	last, got, err := parseReplay(encodeReplay(12, items, 1<<20))
	if err != nil || last != 12 || len(got) != 4 || got[3].seq != 10 || string(got[3].value.data) != "10" {
		t.Fatalf("got %d %+v %v, want 12 and the four items", last, got, err)
	}
	// Room for the header and two items of 1 byte and one of 2: the
	// latest ones go, the oldest is left out.
	body := encodeReplay(12, items, replayHeader+3*replayItemHeader+4)
	if last, got, err := parseReplay(body); err != nil || last != 12 || len(got) != 3 || got[0].seq != 6 {
		t.Fatalf("got %d %+v %v, want 12 and items 6, 7 and 10", last, got, err)
	}
	for _, bad := range [][]byte{
		nil,
		encodeReplay(6, items, 1<<20), // an item past last
		encodeReplay(12, replayItems(7, 7), 1<<20),                     // numbers not going up
		encodeReplay(12, items, 1<<20)[:replayHeader+replayItemHeader], // cut short
	} {
		if _, _, err := parseReplay(bad); err == nil {
			t.Errorf("replay %q accepted", bad)
		}
	}
}
