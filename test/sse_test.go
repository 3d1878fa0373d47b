//go:build !windows

package test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
)

// --sse: a GET that accepts text/event-stream gets the program's lines
// as Server-Sent Events, beside the WebSocket clients of the same server.

// eventStream is an open Server-Sent Events response.
type eventStream struct {
	t      testing.TB
	lines  *bufio.Reader
	cancel context.CancelFunc
}

// openEventStream asks for path's event stream; the test's end closes it.
func (s *server) openEventStream(path string) *eventStream {
	s.t.Helper()
	return s.openEventStreamAfter(path, "")
}

// openEventStreamAfter is openEventStream for a client back with
// Last-Event-ID: lastID ("": none).
func (s *server) openEventStreamAfter(path, lastID string) *eventStream {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		s.t.Fatalf("GET %s: %v\n%s", path, err, s.out)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		s.t.Fatalf("GET %s: %s, Content-Type %q", path, resp.Status, resp.Header.Get("Content-Type"))
	}
	s.t.Cleanup(func() { cancel(); resp.Body.Close() })
	return &eventStream{t: s.t, lines: bufio.NewReader(resp.Body), cancel: cancel}
}

// next reads the next event, keep-alive comments skipped, as its field
// lines joined by LF.
func (e *eventStream) next() string {
	e.t.Helper()
	var fields []string
	for {
		line, err := e.lines.ReadString('\n')
		if err != nil {
			e.t.Fatalf("reading an event: %v (so far %q)", err, fields)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && len(fields) > 0:
			return strings.Join(fields, "\n")
		case line != "" && !strings.HasPrefix(line, ":"):
			fields = append(fields, line)
		}
	}
}

func TestSSECurlGetsNumberedEventsUntilTheScriptExits(t *testing.T) {
	s := startServer(t, "--sse", script(t, "count.sh", "#!/bin/sh\nfor i in 1 2 3; do echo \"line $i\"; done\n"))
	out := curl(t, "-N", "-H", "Accept: text/event-stream", "http://"+s.addr+"/count")
	want := "id: 1\ndata: line 1\n\nid: 2\ndata: line 2\n\nid: 3\ndata: line 3\n\n"
	if out != want {
		t.Errorf("curl got %q, want %q", out, want)
	}
	if fate, _ := s.waitDisconnect("/count"); fate != "exit status 0" {
		t.Errorf("DISCONNECT says process %q", fate)
	}
	if access := s.accessLine("/count"); !strings.Contains(access, "GET 200 OK") {
		t.Errorf("access line %q", access)
	}
	// The same server still serves WebSocket clients, and plain GETs
	// that do not ask for events get no process.
	c := s.dial("/count")
	for i := 1; i <= 3; i++ {
		expectText(t, c, "line "+strconv.Itoa(i))
	}
	expectClose(t, c)
	if r := s.fetch("GET", "/count", nil, ""); r.status != http.StatusNotFound {
		t.Errorf("a plain GET got %d, want 404", r.status)
	}
}

// A client that goes away stops its process, with the usual sequence:
// stdin, open and empty until then, is closed first, and a program that
// waits on it (cat) ends at that; one that does not (sleep) gets SIGINT.
func TestSSEClientThatLeavesStopsItsProcess(t *testing.T) {
	s := startServer(t, "--sse", "--dir="+writeScripts(t, map[string]string{
		"cat.sh":   "#!/bin/sh\necho $$\nexec cat\n",
		"sleep.sh": "#!/bin/sh\necho $$\nexec sleep 600\n",
	}))
	for _, tc := range []struct{ path, fate string }{
		{"/cat.sh", "still running when the client left, then exit status 0"},
		{"/sleep.sh", "still running when the client left, then signal: interrupt"},
	} {
		events := s.openEventStream(tc.path)
		first := events.next()
		pid, err := strconv.Atoi(strings.TrimPrefix(first, "id: 1\ndata: "))
		if err != nil || !alive(pid) {
			t.Fatalf("%s: first event %q: no live pid", tc.path, first)
		}
		events.cancel()
		waitFor(t, readTimeout, fmt.Sprintf("process %d of %s to be gone", pid, tc.path), func() bool { return !alive(pid) })
		if fate, _ := s.waitDisconnect(tc.path); fate != tc.fate {
			t.Errorf("%s: DISCONNECT says process %q, want %q", tc.path, fate, tc.fate)
		}
	}
	s.waitNoChildren(readTimeout)
}

// --idlems ends a silent stream as it ends a silent session, and
// --metrics counts the stream as a session.
func TestSSEIdleTimeoutAndMetrics(t *testing.T) {
	s := startServer(t, "--sse", "--idlems=300", "--metrics=127.0.0.1:0",
		script(t, "once.sh", "#!/bin/sh\necho one\nexec cat\n"))
	events := s.openEventStream("/")
	if got := events.next(); got != "id: 1\ndata: one" {
		t.Fatalf("first event %q", got)
	}
	bound := time.AfterFunc(readTimeout, events.cancel) // a stream that does not end fails the read
	defer bound.Stop()
	if rest, err := io.ReadAll(events.lines); err != nil || len(rest) != 0 {
		t.Errorf("after the first event: %q (%v), want the end of the stream", rest, err)
	}
	if fate, _ := s.waitDisconnect("/"); fate != "still running at the idle timeout, then exit status 0" {
		t.Errorf("DISCONNECT says process %q", fate)
	}
	var exposition string
	waitFor(t, readTimeout, "the stream to be counted as ended", func() bool {
		_, exposition = httpGet(t, s.metricsURL()+"/metrics")
		return metric(exposition, "websocketd_sessions_active") == 0
	})
	expectMetrics(t, exposition, map[string]float64{
		`websocketd_sessions_total{outcome="idle_timeout"}`: 1,
		`websocketd_messages_total{direction="out"}`:        1,
		`websocketd_process_exits_total{status="0"}`:        1,
	})
}

// What refuses an upgrade refuses an event stream, before any process.
func TestSSERefusals(t *testing.T) {
	s := startServer(t, "--sse", "--maxforks=1", "--origin=good.example",
		script(t, "hold.sh", "#!/bin/sh\necho held\nexec cat\n"))
	accept := http.Header{"Accept": {"text/event-stream"}}
	bad := http.Header{"Accept": {"text/event-stream"}, "Origin": {"http://evil.example"}}
	if r := s.fetch("GET", "/", bad, ""); r.status != http.StatusForbidden {
		t.Errorf("bad origin: %d, want 403", r.status)
	}
	if r := s.fetch("GET", "/", accept, "a body"); r.status != http.StatusBadRequest {
		t.Errorf("a request with a body: %d, want 400", r.status)
	}
	held := s.openEventStream("/")
	if got := held.next(); got != "id: 1\ndata: held" {
		t.Fatalf("first event %q", got)
	}
	if r := s.fetch("GET", "/", accept, ""); r.status != http.StatusTooManyRequests {
		t.Errorf("over --maxforks: %d, want 429", r.status)
	}
	if status := s.dialStatus("/", nil); status != http.StatusTooManyRequests {
		t.Errorf("a WebSocket over --maxforks: %d, want 429", status)
	}
}

// A room's broadcast reaches its WebSocket and its event stream clients.
func TestSSERoomClientGetsTheBroadcast(t *testing.T) {
	s := startServer(t, "--sse", "--room", "cat")
	events := s.openEventStream("/chat") // seated once its headers are in
	c := s.dial("/chat")
	if err := c.WriteMessage(websocket.TextMessage, []byte("hello all")); err != nil {
		t.Fatal(err)
	}
	expectText(t, c, "hello all")
	if got := events.next(); got != "id: 1\ndata: hello all" {
		t.Errorf("the event stream got %q", got)
	}
	if pids := roomPIDs(t, s); len(pids) != 1 {
		t.Errorf("room processes %v, want one", pids)
	}
}

// Chromium's EventSource, on a page of --staticdir served by the same
// server, gets the events of the script.
func TestSSEBrowserEventSource(t *testing.T) {
	tab := newBrowser(t)
	static := t.TempDir()
	page := `<!doctype html><title>waiting</title><script>
const got = [], source = new EventSource("/count");
source.onmessage = (e) => {
  got.push(e.lastEventId + ":" + e.data);
  if (got.length === 3) { source.close(); document.title = got.join(","); }
};
</script>`
	if err := os.WriteFile(filepath.Join(static, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--sse", "--staticdir="+static,
		script(t, "count.sh", "#!/bin/sh\nfor i in 1 2 3; do echo \"line $i\"; done\n"))
	if err := chromedp.Do(tab, chromedp.Navigate("http://"+s.addr+"/")); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	want := "1:line 1,2:line 2,3:line 3"
	var title string
	waitFor(t, readTimeout, "the page's title to be "+want, func() bool {
		var err error
		title, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.title`))
		if err != nil {
			t.Fatalf("reading the title: %v", err)
		}
		return title == want
	})
}

// In a room with --roomreplay, events carry the room's numbers, and a
// client back with Last-Event-ID is replayed what follows it, then the
// live ones: nothing twice, nothing missed.
func TestSSELastEventIDResumesFromTheRoomsReplay(t *testing.T) {
	s := startServer(t, "--room", "--roomreplay=100", "--sse",
		script(t, "numbers.sh", "#!/bin/sh\ni=1\nwhile [ $i -le 300 ]; do echo $i; i=$((i+1)); done\nexec cat\n"))
	first := s.dial("/numbers")
	for i := 1; i <= 300; i++ {
		expectText(t, first, strconv.Itoa(i))
	}
	back := s.openEventStreamAfter("/numbers", "250")
	fresh := s.openEventStream("/numbers")
	send(t, first, websocket.TextMessage, "301")
	for i := 251; i <= 301; i++ {
		want := fmt.Sprintf("id: %d\ndata: %d", i, i)
		if got := back.next(); got != want {
			t.Fatalf("the client back with Last-Event-ID 250 got %q, want %q", got, want)
		}
	}
	for i := 201; i <= 301; i++ {
		want := fmt.Sprintf("id: %d\ndata: %d", i, i)
		if got := fresh.next(); got != want {
			t.Fatalf("a new client got %q, want %q (the last 100, then live)", got, want)
		}
	}
}
