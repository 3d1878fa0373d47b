package libwebsocketd

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/pipes"
)

func framedBytes(text bool, payload string) []byte {
	header := framedHeader(text, len(payload))
	return append(header[:], payload...)
}

// stutterInput hands out its data a byte at a time and says "would
// block" before every byte, as a watched pipe may between any two bytes.
type stutterInput struct {
	data    []byte
	blocked bool
}

func (s *stutterInput) Read() (*[]byte, int, error) {
	if s.blocked = !s.blocked; s.blocked {
		return nil, 0, pipes.ErrWouldBlock
	}
	if len(s.data) == 0 {
		return nil, 0, io.EOF
	}
	buf := pipes.GetBuffer()
	(*buf)[0] = s.data[0]
	s.data = s.data[1:]
	return buf, 1, nil
}

type framedMessage struct {
	text    bool
	payload string
}

// readFramed reads messages until an error other than pipes.ErrWouldBlock.
func readFramed(f *framedReader) ([]framedMessage, error) {
	var got []framedMessage
	for {
		kind, message, err := f.next()
		switch {
		case errors.Is(err, pipes.ErrWouldBlock):
		case err != nil:
			return got, err
		default:
			got = append(got, framedMessage{kind == websocket.TextMessage, string(message)})
		}
	}
}

func TestFramedReaderResumesAtAnyByte(t *testing.T) {
	want := []framedMessage{{true, "héllo"}, {false, ""}, {true, ""}, {false, "\x00\xff\n"},
		{false, strings.Repeat("b", 70000)}}
	var stream []byte
	for _, m := range want {
		stream = append(stream, framedBytes(m.text, m.payload)...)
	}
	for name, in := range map[string]pipes.Input{
		"stuttering": &stutterInput{data: stream},
		"whole":      pipes.NewLazyInput(bytes.NewReader(stream)),
	} {
		got, err := readFramed(&framedReader{in: in, limit: LargestMaxLineSize})
		if !errors.Is(err, io.EOF) || len(got) != len(want) {
			t.Fatalf("%s: got %d messages, %v; want %d and EOF", name, len(got), err, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: message %d: got %v %.20q, want %v %.20q", name, i,
					got[i].text, got[i].payload, want[i].text, want[i].payload)
			}
		}
	}
}

func TestFramedReaderRefusesBrokenOutput(t *testing.T) {
	for name, tc := range map[string]struct {
		stream string
		limit  int
		says   string
	}{
		"truncated header":  {"\x80\x00", LargestMaxLineSize, "2 of 4 header bytes"},
		"truncated payload": {"\x00\x00\x00\x05abc", LargestMaxLineSize, "3 of 5 payload bytes"},
		"text not UTF-8":    {"\x80\x00\x00\x01\xff", LargestMaxLineSize, "not valid UTF-8"},
	} {
		f := &framedReader{in: &stutterInput{data: []byte(tc.stream)}, limit: tc.limit}
		_, err := readFramed(f)
		var broken *framingError
		if !errors.As(err, &broken) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want a framing error saying %q", name, err, tc.says)
		}
	}
}

func TestFramedReaderBuffered(t *testing.T) {
	stream := append(framedBytes(false, "one"), framedBytes(true, "two")...)
	f := &framedReader{in: pipes.NewLazyInput(bytes.NewReader(append(stream, 0, 0))), limit: LargestMaxLineSize}
	f.next()
	if !f.buffered() {
		t.Error("a whole message is buffered, buffered() said no")
	}
	f.next()
	if f.buffered() {
		t.Error("only part of a header is buffered, buffered() said yes")
	}
}

// A message exactly at --maxlinesize comes whole; a header announcing one
// byte more is refused before any of its payload is read.
func TestFramedReaderLimit(t *testing.T) {
	at := framedBytes(false, strings.Repeat("a", 255))
	got, err := readFramed(&framedReader{in: &stutterInput{data: at}, limit: 255})
	if !errors.Is(err, io.EOF) || len(got) != 1 || len(got[0].payload) != 255 {
		t.Fatalf("a message at the limit: got %d messages, %v", len(got), err)
	}
	over := framedBytes(true, strings.Repeat("a", 256))
	got, err = readFramed(&framedReader{in: &stutterInput{data: over[:framedHeaderSize]}, limit: 255})
	if len(got) != 0 || !isOutputTooBig(err) ||
		!strings.Contains(err.Error(), "a framed message of 256 bytes is longer than --maxlinesize=255") {
		t.Fatalf("a message over the limit: got %d messages, %v", len(got), err)
	}
}

// FuzzFramedReader: whatever the child writes, no message is over the
// limit, and how reads split the output changes nothing.
func FuzzFramedReader(f *testing.F) {
	f.Add(framedBytes(true, "héllo"), uint16(5))
	f.Add(append(framedBytes(false, "\x00\xff"), framedBytes(true, "")...), uint16(1))
	f.Add([]byte("\x00\x00\x01\x00"), uint16(255))
	f.Add([]byte("\x80\x00\x00\x01\xff"), uint16(10))
	f.Add([]byte("hello world\n"), uint16(1000))
	f.Fuzz(func(t *testing.T, stream []byte, limit uint16) {
		whole, wholeErr := readFramed(&framedReader{in: pipes.NewLazyInput(bytes.NewReader(stream)), limit: int(limit)})
		cut, cutErr := readFramed(&framedReader{in: &stutterInput{data: stream}, limit: int(limit)})
		if len(whole) != len(cut) || (wholeErr == nil) != (cutErr == nil) ||
			isOutputTooBig(wholeErr) != isOutputTooBig(cutErr) {
			t.Fatalf("whole: %d messages, %v; cut: %d messages, %v", len(whole), wholeErr, len(cut), cutErr)
		}
		for i := range whole {
			if whole[i] != cut[i] || len(whole[i].payload) > int(limit) {
				t.Fatalf("message %d: %v %.20q vs %v %.20q (limit %d)", i,
					whole[i].text, whole[i].payload, cut[i].text, cut[i].payload, limit)
			}
		}
	})
}

// A message that spans pipe reads (a 64 KiB one always does, with its
// header) is put together in a lent buffer, not one made for each.
func TestFramedReaderLendsItsAssembly(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector drops pooled buffers at random")
	}
	const messages, size = 20, 64 << 10
	one := framedBytes(false, strings.Repeat("x", size))
	f := &framedReader{in: pipes.NewLazyInput(bytes.NewReader(bytes.Repeat(one, messages))), limit: LargestMaxLineSize}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range messages {
		if _, message, err := f.next(); err != nil || len(message) != size {
			t.Fatalf("message %d: %d bytes, %v", i, len(message), err)
		}
	}
	runtime.ReadMemStats(&after)
	if perMessage := (after.TotalAlloc - before.TotalAlloc) / messages; perMessage > size/8 {
		t.Errorf("%d bytes allocated per %d-byte message", perMessage, size)
	}
}
