package libwebsocketd

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/pipes"
)

// message is one message a codec's reader gave, with its kind.
type message struct {
	kind int
	data string
}

// readMessages reads everything a codec makes of output.
func readMessages(t *testing.T, c codec, output string) ([]message, error) {
	t.Helper()
	r := c.output(pipes.NewLazyInput(strings.NewReader(output)))
	var got []message
	for {
		kind, data, err := r.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return got, err
		}
		got = append(got, message{kind, string(data)})
	}
}

func TestEachCodecCutsOutputIntoMessagesOfItsKind(t *testing.T) {
	text, binary := websocket.TextMessage, websocket.BinaryMessage
	framed := string(framedBytes(true, "hi")) + string(framedBytes(false, "\x00"))
	for _, tc := range []struct {
		name   string
		opts   codecOptions
		output string
		want   []message
	}{
		{"lines", codecOptions{maxLine: 10}, "a\nb\r\n", []message{{text, "a"}, {text, "b"}}},
		{"chunks", codecOptions{binary: true, maxLine: 10}, "a\nb", []message{{binary, "a\nb"}}},
		{"framed", codecOptions{framed: true, maxLine: 10}, framed, []message{{text, "hi"}, {binary, "\x00"}}},
		{"passstderr", codecOptions{passStderr: true, maxLine: 10}, "a\n",
			[]message{{text, `{"stream":"stdout","data":"a"}`}}},
	} {
		got, err := readMessages(t, chooseCodec(tc.opts), tc.output)
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, err, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: message %d is %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

// The session's --maxlinesize reaches the reader the codec builds: a line
// at it goes, one over it ends the output with a close frame to send.
func TestCodecsBoundWhatTheyHoldByMaxLine(t *testing.T) {
	for _, opts := range []codecOptions{{maxLine: 4}, {framed: true, maxLine: 4}} {
		c := chooseCodec(opts)
		atLimit, overLimit := "abcd\n", "abcde\n"
		if opts.framed {
			atLimit = string(framedBytes(true, "abcd"))
			overLimit = string(framedBytes(true, "abcde"))
		}
		if got, err := readMessages(t, c, atLimit); err != nil || len(got) != 1 || got[0].data != "abcd" {
			t.Errorf("%T at the limit: %v %v", c, got, err)
		}
		var refused closingError
		got, err := readMessages(t, c, overLimit)
		if !errors.As(err, &refused) || len(got) != 0 {
			t.Errorf("%T over the limit: %v %v, want a closingError", c, got, err)
			continue
		}
		if code, _ := refused.closeFrame(); code != websocket.CloseMessageTooBig {
			t.Errorf("%T over the limit closes with %d, want 1009", c, code)
		}
		if !strings.Contains(err.Error(), "--maxlinesize=4") {
			t.Errorf("%T over the limit: %q does not name the flag and its value", c, err)
		}
	}
}

// A line over the limit ends the line codec's messages for good: each
// later call says the same.
func TestLineCodecRefusesALineTooLongAtEveryCall(t *testing.T) {
	messages := chooseCodec(codecOptions{maxLine: 4}).output(pipes.NewLazyInput(strings.NewReader("ab\nabcde\nc\n")))
	if _, line, err := messages.next(); err != nil || string(line) != "ab" {
		t.Fatalf("first line: %q %v", line, err)
	}
	_, _, err := messages.next()
	if !isOutputTooBig(err) {
		t.Fatalf("a line over the limit: %v, want it refused", err)
	}
	if _, line, again := messages.next(); !errors.Is(again, err) || line != nil {
		t.Errorf("after the refusal: %q %v, want %v again", line, again, err)
	}
}

func TestCodecsWriteClientMessagesForTheProgram(t *testing.T) {
	for _, tc := range []struct {
		opts codecOptions
		want string
	}{
		{codecOptions{}, "a\nb\n"},
		{codecOptions{binary: true}, "ab"},
		{codecOptions{framed: true}, string(framedBytes(true, "a")) + string(framedBytes(false, "b"))},
	} {
		var stdin bytes.Buffer
		in := chooseCodec(tc.opts).input(&stdin)
		in.write([]byte("a"), websocket.TextMessage)
		in.write([]byte("b"), websocket.BinaryMessage)
		if err := in.flush(); err != nil || stdin.String() != tc.want {
			t.Errorf("%+v: stdin got %q %v, want %q", tc.opts, stdin.String(), err, tc.want)
		}
	}
}

func isOutputTooBig(err error) bool {
	var tooBig *outputTooBigError
	return errors.As(err, &tooBig)
}
