//go:build !windows

package test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// In text mode a message is written to STDIN as it is, plus "\n": a "\n"
// inside it makes several lines, and a CR before a "\n" stays (docs/connections.md
// says so). cat -v shows the CR as ^M on the way back.
func TestTextMessageNewlinesReachChildAsLines(t *testing.T) {
	s := startServer(t, "cat", "-v")
	conn := s.dial("/")
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	for _, ex := range []exchange{
		{"one\ntwo", []string{"one", "two"}},
		{"crlf\r\nnext\r", []string{"crlf^M", "next^M"}},
		{"\n", []string{"", ""}},
	} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(ex.send)); err != nil {
			t.Fatal(err)
		}
		for _, want := range ex.want {
			_, got, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("after sending %q: %v", ex.send, err)
			}
			if string(got) != want {
				t.Errorf("sent %q: got line %q, want %q", ex.send, got, want)
			}
		}
	}
}
