package pipes

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// testMaxLine is a limit no test line reaches.
const testMaxLine = 1 << 20

// frameReader is what the line and chunk readers have in common.
type frameReader interface{ Next() ([]byte, error) }

func isLineTooLong(err error) bool {
	var tooLong *LineTooLongError
	return errors.As(err, &tooLong)
}

func readAll(t *testing.T, frames frameReader) []string {
	t.Helper()
	var got []string
	for {
		message, err := frames.Next()
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
	long := strings.Repeat("x", 3*bufferSize+7)
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
		got := readAll(t, NewLineReader(NewLazyInput(iotest.OneByteReader(strings.NewReader(input))), testMaxLine))
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("%.20q: got %d messages %.60q, want %d", input, len(got), got, len(want))
		}
	}
}

func TestLineReaderBuffered(t *testing.T) {
	lines := NewLineReader(NewLazyInput(strings.NewReader("a\nb\npartial")), testMaxLine)
	lines.Next()
	if !lines.Buffered() {
		t.Error("a whole line is buffered, buffered() said no")
	}
	lines.Next()
	if lines.Buffered() {
		t.Error("only a partial line is buffered, buffered() said yes")
	}
}

func TestTrimLineEnd(t *testing.T) {
	for in, want := range map[string]string{"a\n": "a", "a\r\n": "a", "\n": "", "\r\n": "", "a\r\r\n": "a\r"} {
		if got := string(trimLineEnd([]byte(in))); got != want {
			t.Errorf("trimLineEnd(%q) = %q, want %q", in, got, want)
		}
	}
}

// lineLimitCases are lines around a limit of 5 bytes: what comes out
// before the reader refuses, and whether it refuses.
var lineLimitCases = []struct {
	input   string
	want    []string
	refuses bool
}{
	{"12345\n", []string{"12345"}, false},
	{"12345\r\n", []string{"12345"}, false},
	{"12345", []string{"12345"}, false}, // the last line, without a newline
	{"ab\n\n12345\ncd", []string{"ab", "", "12345", "cd"}, false},
	{"123456\n", nil, true},
	{"1234\r6\n", nil, true},
	{"12345\r", nil, true}, // no line end: the CR is part of the line
	{"123456", nil, true},
	{"ab\n123456\nnever\n", []string{"ab"}, true},
	{"ab\n" + strings.Repeat("x", 3*bufferSize) + "\nnever\n", []string{"ab"}, true},
}

func TestLineReaderRefusesALineOverItsLimit(t *testing.T) {
	for _, tc := range lineLimitCases {
		for name, r := range map[string]func() io.Reader{
			"one byte a read": func() io.Reader { return iotest.OneByteReader(strings.NewReader(tc.input)) },
			"all at once":     func() io.Reader { return strings.NewReader(tc.input) },
		} {
			lines := NewLineReader(NewLazyInput(r()), 5)
			got, err := readUntilError(lines)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("%.20q, %s: got %q before the end, want %q", tc.input, name, got, tc.want)
			}
			var tooLong *LineTooLongError
			if refused := errors.As(err, &tooLong); refused != tc.refuses {
				t.Errorf("%.20q, %s: ended with %v, want refused: %v", tc.input, name, err, tc.refuses)
			}
			if tc.refuses && tooLong.Limit != 5 {
				t.Errorf("%.20q, %s: %v does not name the limit", tc.input, name, err)
			}
			if _, again := lines.Next(); !errors.Is(again, err) {
				t.Errorf("%.20q, %s: after %v the next call says %v", tc.input, name, err, again)
			}
		}
	}
}

// readUntilError returns every message until the first error.
func readUntilError(frames frameReader) ([]string, error) {
	var got []string
	for {
		message, err := frames.Next()
		if err != nil {
			return got, err
		}
		got = append(got, string(message))
	}
}

// countingReader counts what it hands out.
type countingReader struct {
	r    io.Reader
	read int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

// An endless line is refused once it passes the limit: the reader holds
// no more than the limit and one read of it.
func TestLineReaderStopsReadingAnEndlessLine(t *testing.T) {
	const limit = 100000
	source := &countingReader{r: &repeatReader{block: []byte("endless")}}
	lines := NewLineReader(NewLazyInput(source), limit)
	if message, err := lines.Next(); !isLineTooLong(err) {
		t.Fatalf("got %d bytes, %v; want the line refused", len(message), err)
	}
	if source.read > limit+1+bufferSize {
		t.Errorf("read %d bytes of a line refused at %d", source.read, limit)
	}
	if cap(lines.partial) != 0 || lines.buf != nil {
		t.Errorf("the refused line still holds %d bytes and a buffer: %v", cap(lines.partial), lines.buf != nil)
	}
}

func TestStderrLinesComeInPiecesOfTheLimit(t *testing.T) {
	cases := map[string][]string{
		"abcdefghij\nxy\n": {"abcd", "efgh", "ij", "xy"},
		"abcdefgh\r\n":     {"abcd", "efgh"},
		"abcd\r\n\n":       {"abcd", ""},
		"abcdefghi":        {"abcd", "efgh", "i"},
	}
	for input, want := range cases {
		got := readAll(t, newSplitLines(NewLazyInput(strings.NewReader(input)), 4))
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: got %q, want %q", input, got, want)
		}
	}
}

// referenceLines is what a line reader with no limit makes of data.
func referenceLines(data []byte) []string {
	parts := strings.Split(string(data), "\n")
	last := parts[len(parts)-1]
	var lines []string
	for _, line := range parts[:len(parts)-1] {
		lines = append(lines, strings.TrimSuffix(line, "\r"))
	}
	if last != "" {
		lines = append(lines, last) // no line end to trim
	}
	return lines
}

// FuzzLineReader: whatever the output and the limit, no message is over
// the limit; a stdout reader returns exactly the lines before the first
// that is too long, and refuses that one; a stderr reader loses no byte.
func FuzzLineReader(f *testing.F) {
	for _, tc := range lineLimitCases {
		f.Add([]byte(tc.input), uint8(5), false)
		f.Add([]byte(tc.input), uint8(3), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint8, oneByte bool) {
		max := int(limit%64) + 1
		source := func() io.Reader {
			if oneByte {
				return iotest.OneByteReader(bytes.NewReader(data))
			}
			return bytes.NewReader(data)
		}
		want, refused := referenceLines(data), false
		for i, line := range want {
			if len(line) > max {
				want, refused = want[:i], true
				break
			}
		}
		got, err := readUntilError(NewLineReader(NewLazyInput(source()), max))
		if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != len(want) ||
			isLineTooLong(err) != refused {
			t.Fatalf("limit %d: got %q, %v; want %q, refused %v", max, got, err, want, refused)
		}
		pieces, _ := readUntilError(newSplitLines(NewLazyInput(source()), max))
		for _, piece := range pieces {
			if len(piece) > max {
				t.Fatalf("limit %d: a stderr piece of %d bytes", max, len(piece))
			}
		}
		if strings.Join(pieces, "") != strings.Join(referenceLines(data), "") {
			t.Fatalf("limit %d: stderr pieces %q lose or add bytes", max, pieces)
		}
	})
}
