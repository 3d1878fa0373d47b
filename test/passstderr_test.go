//go:build !windows

package test

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// --passstderr: the child's stdout and stderr lines reach the client as
// JSON records that name their stream, in the order the child wrote them.

// streamLine is one --passstderr message.
type streamLine struct {
	Stream string `json:"stream"`
	Data   string `json:"data"`
}

func TestPassStderrKeepsOrder(t *testing.T) {
	// Each line waits for the client's ack of the previous one, so the
	// order the server read them in is the order they were written.
	s := startServer(t, "--passstderr", script(t, "streams.sh", `echo out1
read ack; echo 'err "1"' >&2
read ack; echo out2
read ack; echo err2 >&2
read ack; echo out3
`))
	c := s.dial("/")
	want := []streamLine{{"stdout", "out1"}, {"stderr", `err "1"`}, {"stdout", "out2"},
		{"stderr", "err2"}, {"stdout", "out3"}}
	for i, w := range want {
		_, raw := receive(t, c)
		if i == 0 && raw != `{"stream":"stdout","data":"out1"}` {
			t.Fatalf("first message %s, want exactly {\"stream\":\"stdout\",\"data\":\"out1\"}", raw)
		}
		var got streamLine
		if err := json.Unmarshal([]byte(raw), &got); err != nil || got != w {
			t.Fatalf("message %d: %s (%v), want %+v", i, raw, err, w)
		}
		send(t, c, websocket.TextMessage, "ack")
	}
	if code, _ := expectClose(t, c); code != websocket.CloseNormalClosure {
		t.Fatalf("close code %d, want 1000", code)
	}
	waitFor(t, readTimeout, "stderr lines in the log", func() bool {
		return len(s.out.lines(`| stderr |`)) == 2 && len(s.out.lines(`err "1"`)) == 1
	})
}

func TestPassStderrWithBinaryIsConfigError(t *testing.T) {
	out, err := exec.Command(binary, "--port=0", "--passstderr", "--binary", "cat").CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 || !strings.Contains(string(out), "--passstderr") {
		t.Fatalf("exit %v, want 1 naming --passstderr; output:\n%s", err, out)
	}
}
