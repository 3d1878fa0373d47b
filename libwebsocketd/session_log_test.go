package libwebsocketd

import (
	"bytes"
	"net/http/httptest"
	"regexp"
	"testing"
)

// A session's label writes the lines a logger made with With wrote: the
// same attributes in the same order, in both formats, with the room and
// the pid when there are, and with attributes added later.
func TestSessionLabelWritesWhatWithWrote(t *testing.T) {
	r := httptest.NewRequest("GET", "/chat?x=1", nil)
	r.RemoteAddr = "192.0.2.7:5000"
	r.Header.Set("Origin", "https://example.com")
	for _, format := range []string{"text", "json"} {
		for _, tc := range []struct {
			name     string
			room     string
			pid      int
			connect  string
			withArgs []any
		}{
			{name: "before the process", pid: noPid},
			{name: "with its pid", pid: 4242},
			{name: "a room seat", room: "/chat", pid: 0},
			{name: "a service", connect: "127.0.0.1:9", pid: noPid},
			{name: "with more", pid: 7, withArgs: []any{"resumed_from", "192.0.2.8:1"}},
		} {
			var got, want bytes.Buffer
			h := &Handler{log: NewLogger(&got, LevelDebug, format)}
			label := h.newSessionLabel(r, "ID", []string{"prog", "arg"})
			label.room, label.pid, label.connect = tc.room, tc.pid, tc.connect
			log := label.logger()
			if tc.withArgs != nil {
				log = log.With(tc.withArgs...)
			}
			log.Info("hello", "n", 1)

			served := []any{"command", "prog arg"}
			if tc.connect != "" {
				served = []any{"connect", tc.connect}
			}
			args := append([]any{"category", "session", "url", requestURL(r), "id", "ID",
				"remote", r.RemoteAddr}, served...)
			args = append(args, "origin", "https://example.com")
			if tc.room != "" {
				args = append(args, "room", tc.room)
			}
			if tc.pid != noPid {
				args = append(args, "pid", tc.pid)
			}
			old := NewLogger(&want, LevelDebug, format).With(args...).With(tc.withArgs...)
			old.Info("hello", "n", 1)
			if stamp(got.String()) != stamp(want.String()) {
				t.Errorf("%s, %s:\ngot  %s\nwant %s", format, tc.name, got.String(), want.String())
			}
		}
	}
}

// A line below the level costs no attributes: the label asks the server's
// handler first.
func TestSessionLabelBelowTheLevel(t *testing.T) {
	var out bytes.Buffer
	h := &Handler{log: NewLogger(&out, LevelError, "text")}
	r := httptest.NewRequest("GET", "/", nil)
	log := h.newSessionLabel(r, "ID", []string{"prog"}).logger()
	if log.Enabled(nil, LevelAccess) {
		t.Error("an access line is enabled at --loglevel=error")
	}
	log.Debug("nothing")
	if out.Len() != 0 {
		t.Errorf("wrote %q", out.String())
	}
}

var timestamps = regexp.MustCompile(`^[^|]*\||"time":"[^"]*"`)

// stamp leaves out a line's time, which two loggers write apart.
func stamp(line string) string { return timestamps.ReplaceAllString(line, "") }
