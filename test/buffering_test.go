//go:build !windows

package test

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The remedies of docs/terminal.md's "My output arrives late or all at once"
// work: each filter below would keep its reply in a stdio buffer while the
// connection stays open, so the reply arriving at all proves the remedy.
func TestOutputBufferingRemedies(t *testing.T) {
	const upper = "import sys\nfor line in sys.stdin: print(line.upper(), end='')\n"
	cases := []struct {
		name  string
		needs string
		args  []string
	}{
		{"python3 -u", "python3", []string{"python3", "-u", "-c", upper}},
		{"PYTHONUNBUFFERED with --passenv", "python3",
			[]string{"--passenv=PATH,PYTHONUNBUFFERED", "python3", "-c", upper}},
		{"perl $| = 1", "perl", []string{"perl", "-e", "$| = 1; while (<STDIN>) { print uc }"}},
		{"stdbuf -oL", "stdbuf", []string{"stdbuf", "-oL", "tr", "a-z", "A-Z"}},
		{"sed -u", "sed", []string{"sed", "-u", "s/.*/\\U&/"}},
	}
	t.Setenv("PYTHONUNBUFFERED", "1") // only the --passenv case hands it on
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			needTool(t, tc.needs)
			s := startServer(t, tc.args...)
			conn := s.dial("/")
			conn.SetReadDeadline(time.Now().Add(readTimeout))
			for _, word := range []string{"first", "second"} {
				if err := conn.WriteMessage(websocket.TextMessage, []byte(word)); err != nil {
					t.Fatal(err)
				}
				_, got, err := conn.ReadMessage()
				if err != nil {
					t.Fatalf("no reply to %q (still buffered?): %v\n%s", word, err, s.out)
				}
				if want := strings.ToUpper(word); string(got) != want {
					t.Errorf("reply %q, want %q", got, want)
				}
			}
		})
	}
}
