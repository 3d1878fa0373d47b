package libwebsocketd

import (
	"testing"
	"unicode/utf8"
)

// streamValid feeds text to a utf8Stream in pieces cut at the given
// offsets and reports its verdict.
func streamValid(text []byte, cuts ...int) bool {
	var u utf8Stream
	from := 0
	for _, cut := range append(cuts, len(text)) {
		cut = min(max(cut, from), len(text))
		if !u.write(text[from:cut]) {
			return false
		}
		from = cut
	}
	return u.end()
}

var utf8Samples = []string{
	"", "plain", "é", "€", "𝄞", "a\xc3", "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e",
	"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xed\x9f\xbf", "\xe0\x80\x80", "\xe0\xa0\x80",
	"\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf0\x80\x80\x80", "\xf0\x90\x80", "\x80",
	"a\xe2\x82", "\xc3(", "ok \xf0\x9f\x98\x80 ok",
}

// Every split of every sample gets utf8.Valid's verdict.
func TestUTF8StreamAgreesWithValid(t *testing.T) {
	for _, s := range utf8Samples {
		text := []byte(s)
		for i := 0; i <= len(text); i++ {
			for j := i; j <= len(text); j++ {
				if got, want := streamValid(text, i, j), utf8.Valid(text); got != want {
					t.Errorf("%q cut at %d and %d: %v, want %v", s, i, j, got, want)
				}
			}
		}
	}
}

// Fed a byte at a time, the stream fails at the first byte after which
// no valid text can follow, not at the end.
func TestUTF8StreamFailsAtTheBadByte(t *testing.T) {
	for s, bad := range map[string]int{
		"ab\xff": 2, "\xc0": 0, "\xc3(": 1, "\xed\xa0": 1, "\xe0\x80": 1,
		"\xf4\x90": 1, "\xf5": 0, "é\x80": 2, "\xf0\x9d\x84(": 3,
	} {
		var u utf8Stream
		failed := -1
		for i := range len(s) {
			if !u.write([]byte{s[i]}) {
				failed = i
				break
			}
		}
		if failed != bad {
			t.Errorf("%q: failed at byte %d, want %d", s, failed, bad)
		}
	}
}

func FuzzUTF8Stream(f *testing.F) {
	for _, s := range utf8Samples {
		f.Add([]byte(s), 1, 2)
	}
	f.Fuzz(func(t *testing.T, text []byte, i, j int) {
		if got, want := streamValid(text, i, j), utf8.Valid(text); got != want {
			t.Errorf("%q cut at %d and %d: %v, want %v", text, i, j, got, want)
		}
	})
}
