package libwebsocketd

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// sseEvent is an event as a client sees it, with every field it was sent.
type sseEvent struct {
	id, kind, data string
	fields         []string
}

// parseEventStream reads stream as the HTML standard's event stream
// interpretation does, keeping what it would throw away too: the names
// of all fields, and whether an event was left unfinished.
func parseEventStream(t *testing.T, stream []byte) []sseEvent {
	t.Helper()
	if !utf8.Valid(stream) {
		t.Fatalf("stream is not UTF-8: %q", stream)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(stream), "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	if last := lines[len(lines)-1]; last != "" {
		t.Fatalf("stream ends inside a line: %q", last)
	}
	var events []sseEvent
	var current sseEvent
	var data []string
	for _, line := range lines[:len(lines)-1] {
		switch {
		case line == "":
			if len(current.fields) > 0 {
				current.data = strings.Join(data, "\n")
				events = append(events, current)
			}
			current, data = sseEvent{}, nil
			continue
		case line[0] == ':':
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		current.fields = append(current.fields, name)
		switch name {
		case "id":
			current.id = value
		case "event":
			current.kind = value
		case "data":
			data = append(data, value)
		}
	}
	if len(current.fields) > 0 {
		t.Fatalf("stream ends inside an event: %+v", current)
	}
	return events
}

// dataAsSeen is the data a client gets for a text message: UTF-8, with
// every line break made LF.
func dataAsSeen(message []byte) string {
	valid, _ := validText(websocket.TextMessage, message)
	return strings.ReplaceAll(strings.ReplaceAll(string(valid), "\r\n", "\n"), "\r", "\n")
}

func TestAppendEventFraming(t *testing.T) {
	cases := []struct {
		message, want string
	}{
		{"plain", "id: 7\ndata: plain\n\n"},
		{"", "id: 7\ndata: \n\n"},
		{" leading space", "id: 7\ndata:  leading space\n\n"},
		{"10%\r20%", "id: 7\ndata: 10%\ndata: 20%\n\n"},
		{"a\r\nb\nc\r", "id: 7\ndata: a\ndata: b\ndata: c\ndata: \n\n"},
		{"x\revent: evil\r\rdata: y", "id: 7\ndata: x\ndata: event: evil\ndata: \ndata: data: y\n\n"},
		{"bad \xff byte", "id: 7\ndata: bad \uFFFD byte\n\n"},
	}
	for _, c := range cases {
		got := string(appendEvent(nil, 7, websocket.TextMessage, []byte(c.message)))
		if got != c.want {
			t.Errorf("event of %q:\n got %q\nwant %q", c.message, got, c.want)
		}
	}
	binary := string(appendEvent(nil, 1, websocket.BinaryMessage, []byte{0, 0xff, '\n'}))
	if want := "id: 1\nevent: binary\ndata: AP8K\n\n"; binary != want {
		t.Errorf("binary event: got %q, want %q", binary, want)
	}
}

// FuzzSSEEvent checks that no message can make its event anything but
// one event with its id and its data: no field of its own, no second
// event, nothing that spills into the next one.
func FuzzSSEEvent(f *testing.F) {
	for _, seed := range []string{"", "line", "a\rb", "a\r\nb", "a\nb", "\r", "\n\n", "x\revent: evil",
		"\r\rid: 9\r\rdata: injected", ": comment", "\xff\xfe", "retry: 1"} {
		f.Add(uint64(1), false, []byte(seed))
	}
	f.Add(uint64(1<<63), true, []byte("\x00\r\n\xff"))
	f.Fuzz(func(t *testing.T, id uint64, binary bool, message []byte) {
		kind := websocket.TextMessage
		if binary {
			kind = websocket.BinaryMessage
		}
		stream := appendEvent(nil, id, kind, message)
		stream = appendEvent(stream, id+1, websocket.TextMessage, []byte("next"))
		events := parseEventStream(t, stream)
		if len(events) != 2 {
			t.Fatalf("%q made %d events, want 2: %q", message, len(events), stream)
		}
		got, next := events[0], events[1]
		if next.id != idField(id+1) || next.data != "next" || next.kind != "" ||
			strings.Join(next.fields, ",") != strings.TrimPrefix(fieldsOf(id+1), ",") {
			t.Fatalf("the event after %q is %+v", message, next)
		}
		if got.id != idField(id) {
			t.Fatalf("%q: id %q, want %d", message, got.id, id)
		}
		first := 0 // the first field after the id, if any
		if id != 0 {
			first = 1
		}
		for i, name := range got.fields {
			wantName := "data"
			switch {
			case i == 0 && id != 0:
				wantName = "id"
			case i == first && binary:
				wantName = "event"
			}
			if name != wantName {
				t.Fatalf("%q: field %d is %q, want %q (fields %v)", message, i, name, wantName, got.fields)
			}
		}
		if !binary {
			if got.kind != "" || got.data != dataAsSeen(message) {
				t.Fatalf("%q: got event %q data %q, want data %q", message, got.kind, got.data, dataAsSeen(message))
			}
			return
		}
		decoded, err := base64.StdEncoding.DecodeString(got.data)
		if got.kind != "binary" || err != nil || !bytes.Equal(decoded, message) {
			t.Fatalf("%x: got event %q data %q (%v)", message, got.kind, got.data, err)
		}
	})
}

// idField is the id an event numbered n carries: none for 0.
func idField(n uint64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatUint(n, 10)
}

// fieldsOf is the fields of a one-line text event numbered n.
func fieldsOf(n uint64) string {
	if n == 0 {
		return "data"
	}
	return "id,data"
}

func TestAnEventNumberedZeroHasNoID(t *testing.T) {
	if got, want := string(appendEvent(nil, 0, websocket.TextMessage, []byte("a\nb"))), "data: a\ndata: b\n\n"; got != want {
		t.Errorf("got %q, want %q: the client keeps its last id", got, want)
	}
}
