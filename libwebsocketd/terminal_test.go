//go:build unix

// Shell scripts, shebangs, signals and terminals: Unix only (Windows has its
// own tests under Wine, test/wine).

package libwebsocketd

import (
	"net/url"
	"testing"

	"github.com/gorilla/websocket"
)

func TestTerminalControlMessages(t *testing.T) {
	cases := []struct {
		message    string
		control    bool
		cols, rows uint16 // 0: a control message that is refused
	}{
		{`{"resize":{"cols":120,"rows":40}}`, true, 120, 40},
		{` {"resize":{"rows":1,"cols":4096}}`, true, 4096, 1},
		{`{"resize":{"cols":0,"rows":40}}`, true, 0, 0},
		{`{"resize":{"cols":120}}`, true, 0, 0},
		{`{"resize":"big"}`, true, 0, 0},
		{`{"resize":{"cols":5000,"rows":40}}`, true, 0, 0},
		{`{"other":1}`, false, 0, 0},
		{`{"resize":`, false, 0, 0},
		{`ls -l`, false, 0, 0},
		{`{`, false, 0, 0},
	}
	for _, tc := range cases {
		control, ok := parseControl([]byte(tc.message))
		if ok != tc.control {
			t.Errorf("%q: control=%v, want %v", tc.message, ok, tc.control)
			continue
		}
		if !ok {
			continue
		}
		cols, rows, err := parseResize(control)
		if tc.cols == 0 && err == nil {
			t.Errorf("%q: accepted as %dx%d, want refused", tc.message, cols, rows)
		}
		if tc.cols != 0 && (err != nil || cols != tc.cols || rows != tc.rows) {
			t.Errorf("%q: %dx%d (%v), want %dx%d", tc.message, cols, rows, err, tc.cols, tc.rows)
		}
	}
}

func TestTerminalSizeFromQuery(t *testing.T) {
	cases := map[string][2]uint16{
		"":                    {80, 24},
		"cols=120&rows=40":    {120, 40},
		"cols=0&rows=40":      {80, 40},
		"cols=abc&rows=99999": {80, 24},
		"cols=-5":             {80, 24},
	}
	for query, want := range cases {
		values, _ := url.ParseQuery(query)
		if cols, rows := terminalSize(values); [2]uint16{cols, rows} != want {
			t.Errorf("%q: %dx%d, want %dx%d", query, cols, rows, want[0], want[1])
		}
	}
}

// A --terminal resize is activity for --idlems but no message: the
// message counts leave it out (test/terminal_test.go checks the metrics).
func TestTerminalResizeIsActivityNotAMessage(t *testing.T) {
	acct := newAccounting(nil, true)
	sock := &socket{acct: acct, isControl: isTerminalControl, lastKind: websocket.TextMessage}
	sock.countIn([]byte(`{"resize":{"cols":100,"rows":30}}`))
	if acct.lastActive.Load() == 0 {
		t.Fatal("a resize did not count as activity for --idlems")
	}
	if isTerminalControl([]byte(`{"resize":{"cols":100,"rows":30}}`), websocket.BinaryMessage) {
		t.Error("a binary message was taken for a control message; only text ones are")
	}
	if isTerminalControl([]byte("ls\r"), websocket.TextMessage) {
		t.Error("typing was taken for a control message")
	}
}
