package libwebsocketd

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"strconv"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/child"
)

// maxTerminalSide bounds a window size a client may ask for, in cells.
const maxTerminalSide = 4096

// terminalInput takes a --terminal client's messages: the bytes of each
// are typed at the terminal, except a text message that is a JSON object
// with a "resize" member, which sets the window size.
type terminalInput struct {
	burst  burstWriter
	master *os.File
	log    *slog.Logger
}

func (in *terminalInput) write(message []byte, kind int) {
	if kind == websocket.TextMessage {
		if control, ok := parseControl(message); ok {
			in.resize(control)
			return
		}
	}
	in.burst.write(message, false)
}

// isTerminalControl reports whether a --terminal client's message is a
// control message rather than typing, as write tells them apart; the
// socket counts the two apart (socket.countIn).
func isTerminalControl(message []byte, kind int) bool {
	if kind != websocket.TextMessage {
		return false
	}
	_, ok := parseControl(message)
	return ok
}

func (in *terminalInput) flush() error { return in.burst.flush() }

// finish types what came before the end.
func (in *terminalInput) finish(error) { in.burst.flush() }

func (in *terminalInput) resize(control json.RawMessage) {
	cols, rows, err := parseResize(control)
	if err == nil {
		err = child.ResizeTerminal(in.master, cols, rows)
	}
	if err != nil {
		in.log.Debug("terminal control message ignored", "error", err)
	}
}

// parseControl reports whether a text message is a control message, and
// returns its resize member. Typed text is checked for a '{' first, so
// keystrokes cost no JSON parsing.
func parseControl(message []byte) (json.RawMessage, bool) {
	if !bytes.HasPrefix(bytes.TrimLeft(message, " \t\r\n"), []byte("{")) {
		return nil, false
	}
	var object map[string]json.RawMessage
	if json.Unmarshal(message, &object) != nil {
		return nil, false
	}
	resize, ok := object["resize"]
	return resize, ok
}

var errBadResize = errors.New(`resize needs {"cols":N,"rows":N} with N from 1 to 4096`)

func parseResize(control json.RawMessage) (cols, rows uint16, err error) {
	var size struct{ Cols, Rows *int }
	if json.Unmarshal(control, &size) != nil || size.Cols == nil || size.Rows == nil {
		return 0, 0, errBadResize
	}
	if !validSide(*size.Cols) || !validSide(*size.Rows) {
		return 0, 0, errBadResize
	}
	return uint16(*size.Cols), uint16(*size.Rows), nil
}

func validSide(n int) bool { return n >= 1 && n <= maxTerminalSide }

// terminalSize is the first window size, from ?cols=&rows= in the URL;
// a missing or bad value leaves the default.
func terminalSize(query url.Values) (cols, rows uint16) {
	cols, rows = child.DefaultTTY.Cols, child.DefaultTTY.Rows
	if n, err := strconv.Atoi(query.Get("cols")); err == nil && validSide(n) {
		cols = uint16(n)
	}
	if n, err := strconv.Atoi(query.Get("rows")); err == nil && validSide(n) {
		rows = uint16(n)
	}
	return cols, rows
}
