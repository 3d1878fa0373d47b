package libwebsocketd

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// utf8Stream checks text that arrives in pieces, as the frames of a
// fragmented message do, and fails at the first piece that cannot be the
// start of valid UTF-8: a client that sends a bad fragment and never the
// last one is still failed (the "strict" reading of RFC 6455 section 8.1).
// A code point may be split across pieces; its start waits in pending.
type utf8Stream struct {
	pending [utf8.UTFMax]byte
	held    int // bytes of pending in use
}

// write checks the next piece of the text and reports whether everything
// so far can still be valid.
func (u *utf8Stream) write(p []byte) bool {
	if u.held == 0 && utf8.Valid(p) {
		return true // the usual case: one pass, as for a whole message
	}
	if u.held > 0 {
		want := utf8SequenceLength(u.pending[0])
		take := min(want-u.held, len(p))
		u.held += copy(u.pending[u.held:], p[:take])
		p = p[take:]
		if u.held < want {
			return validUTF8Prefix(u.pending[:u.held])
		}
		if !utf8.Valid(u.pending[:u.held]) {
			return false
		}
		u.held = 0
	}
	cut := incompleteTail(p)
	if !utf8.Valid(p[:cut]) || !validUTF8Prefix(p[cut:]) {
		return false
	}
	u.held = copy(u.pending[:], p[cut:])
	return true
}

// end reports whether the text ended on a whole code point, and readies
// the stream for the next message.
func (u *utf8Stream) end() bool {
	whole := u.held == 0
	u.held = 0
	return whole
}

// utf8SequenceLength is the length of the sequence a byte starts, or 0
// for a byte that starts none (a continuation byte or an invalid one).
func utf8SequenceLength(b byte) int {
	switch {
	case b < 0x80:
		return 1
	case b >= 0xc2 && b <= 0xdf:
		return 2
	case b >= 0xe0 && b <= 0xef:
		return 3
	case b >= 0xf0 && b <= 0xf4:
		return 4
	}
	return 0
}

// incompleteTail returns where a code point that p ends in the middle of
// starts, or len(p) when p ends on a whole one (or on bytes that are
// invalid anyway, which utf8.Valid then finds).
func incompleteTail(p []byte) int {
	for back := 1; back < utf8.UTFMax && back <= len(p); back++ {
		i := len(p) - back
		if p[i]&0xc0 == 0x80 {
			continue // a continuation byte: the start is further back
		}
		if n := utf8SequenceLength(p[i]); n > back {
			return i
		}
		return len(p)
	}
	return len(p)
}

// validUTF8Prefix reports whether p (shorter than its sequence) can still
// become a valid code point. Only the byte after the first is restricted
// beyond being a continuation byte (no overlong forms, surrogates or code
// points over U+10FFFF), so completing p with the smallest continuation
// byte tells.
func validUTF8Prefix(p []byte) bool {
	if len(p) == 0 {
		return true
	}
	n := utf8SequenceLength(p[0])
	if n <= len(p) {
		return false
	}
	if len(p) == 1 {
		return true
	}
	var whole [utf8.UTFMax]byte
	copy(whole[:], p)
	for i := len(p); i < n; i++ {
		whole[i] = 0x80
	}
	return utf8.Valid(whole[:n])
}

// messageCheck reads one message from the client, checking it as it
// arrives: a text message fragment by fragment (utf8Stream), and the size
// against the read limit after decompression, which gorilla/websocket
// does not count (its limit is on the bytes on the wire).
type messageCheck struct {
	r     io.Reader
	text  bool
	utf8  utf8Stream
	limit int64 // 0: none
	read  int64
}

// errInflatedTooBig is a compressed message that inflates past the limit.
var errInflatedTooBig = fmt.Errorf("%w (once decompressed)", websocket.ErrReadLimit)

func (c *messageCheck) start(r io.Reader, text bool) {
	c.r, c.text, c.read = r, text, 0
	c.utf8 = utf8Stream{}
}

func (c *messageCheck) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	switch {
	case c.limit > 0 && c.read > c.limit:
		return n, errInflatedTooBig
	case c.text && n > 0 && !c.utf8.write(p[:n]):
		return n, errInvalidUTF8
	}
	return n, err
}

// end checks that a text message did not stop inside a code point.
func (c *messageCheck) end() error {
	c.r = nil
	if c.text && !c.utf8.end() {
		return errInvalidUTF8
	}
	return nil
}
