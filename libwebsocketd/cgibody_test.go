package libwebsocketd

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCGIResponseHostAnswersFirst(t *testing.T) {
	rec := httptest.NewRecorder()
	resp := newCGIResponse(rec)
	resp.Header().Set("X-Script", "yes")
	resp.WriteHeader(http.StatusCreated)
	if resp.timeOut() {
		t.Error("a 408 after the script's answer")
	}
	if _, err := io.WriteString(resp, "body"); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusCreated || rec.Header().Get("X-Script") != "yes" || rec.Body.String() != "body" {
		t.Errorf("client got %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
}

func TestCGIResponseStallAnswersFirst(t *testing.T) {
	rec := httptest.NewRecorder()
	resp := newCGIResponse(rec)
	if !resp.timeOut() {
		t.Fatal("no 408 for a stalled body")
	}
	resp.Header().Set("Set-Cookie", "late=1")
	resp.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(resp, "late output"); !errors.Is(err, errAnsweredAlready) {
		t.Errorf("the script's output after the 408: %v, want %v", err, errAnsweredAlready)
	}
	if rec.Code != http.StatusRequestTimeout || rec.Body.String() != stallBody ||
		rec.Header().Get("Set-Cookie") != "" || !rec.Flushed {
		t.Errorf("client got %d %v %q (flushed %v)", rec.Code, rec.Header(), rec.Body, rec.Flushed)
	}
	if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(len(stallBody)) {
		t.Errorf("Content-Length %q for a body of %d bytes", got, len(stallBody))
	}
}

// timeoutReader reads data, then fails as a read past its deadline does.
type timeoutReader struct{ data *strings.Reader }

func (r timeoutReader) Read(p []byte) (int, error) {
	if r.data.Len() == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	return r.data.Read(p)
}

func TestStallGuardReportsOnlyATimeout(t *testing.T) {
	for _, tc := range []struct {
		body    io.Reader
		stalled bool
	}{
		{strings.NewReader("whole body"), false},
		{timeoutReader{strings.NewReader("part")}, true},
	} {
		calls := 0
		g := &stallGuard{body: io.NopCloser(tc.body), conn: http.NewResponseController(httptest.NewRecorder()),
			timeout: time.Minute, stalled: func() { calls++ }}
		data, err := io.ReadAll(g)
		if tc.stalled != (calls == 1) || calls > 1 || !g.ended {
			t.Errorf("read %q (%v): stalled %d times, ended %v", data, err, calls, g.ended)
		}
	}
}
