package libwebsocketd

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(t *testing.T, frames frameReader) []string {
	t.Helper()
	var got []string
	for {
		message, err := frames.next()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(message))
	}
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", 3*stdoutBufferSize+7)
	cases := map[string][]string{
		"a\nb\n":           {"a", "b"},
		"a\r\nb\r\n":       {"a", "b"},
		"\n\n":             {"", ""},
		"a\nlast":          {"a", "last"},
		"a\rb\n":           {"a\rb"},
		"":                 nil,
		long + "\nshort\n": {long, "short"},
		"tail\r":           {"tail\r"},
	}
	for input, want := range cases {
		// One byte per read: framing must not depend on how reads split.
		got := readAll(t, newLineReader(iotest.OneByteReader(strings.NewReader(input))))
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("%.20q: got %d messages %.60q, want %d", input, len(got), got, len(want))
		}
	}
}

func TestLineReaderBuffered(t *testing.T) {
	lines := newLineReader(strings.NewReader("a\nb\npartial"))
	lines.next()
	if !lines.buffered() {
		t.Error("a whole line is buffered, buffered() said no")
	}
	lines.next()
	if lines.buffered() {
		t.Error("only a partial line is buffered, buffered() said yes")
	}
}

func TestChunkReaderKeepsEveryByte(t *testing.T) {
	var input []byte
	for i := range 100000 {
		input = append(input, byte(i))
	}
	got := strings.Join(readAll(t, newChunkReader(iotest.HalfReader(strings.NewReader(string(input))))), "")
	if got != string(input) {
		t.Fatalf("chunks differ from input (%d vs %d bytes)", len(got), len(input))
	}
}

func TestTrimLineEnd(t *testing.T) {
	for in, want := range map[string]string{"a\n": "a", "a\r\n": "a", "\n": "", "\r\n": "", "a\r\r\n": "a\r"} {
		if got := string(trimLineEnd([]byte(in))); got != want {
			t.Errorf("trimLineEnd(%q) = %q, want %q", in, got, want)
		}
	}
}
