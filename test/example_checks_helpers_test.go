//go:build !windows

package test

import (
	"errors"
	"net/http"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// checkExample runs the example at urlPath and checks that it does what
// its name says, in the same words as the others of its kind.
func checkExample(t *testing.T, addr, urlPath string) {
	switch name := strings.TrimSuffix(path.Base(urlPath), path.Ext(urlPath)); name {
	case "count":
		checkCount(t, addr, urlPath)
	case "greeter":
		checkReplies(t, addr, urlPath, greeterExchanges)
	case "echo":
		checkReplies(t, addr, urlPath, echoExchanges)
	case "dump-env":
		checkDumpEnv(t, addr, urlPath)
	default:
		t.Fatalf("no check for an example named %q", name)
	}
}

// exchange is one message sent and the messages it must bring back.
type exchange struct {
	send string
	want []string
}

// A message with a "\n" reaches the program as two lines; a CR before the
// newline is the program's to drop (websocketd keeps it), and greeters do;
// a CR elsewhere is part of the line, in every language.
var greeterExchanges = []exchange{
	{"Ada", []string{"Hello, Ada!"}},
	{"ünïcödé ✓", []string{"Hello, ünïcödé ✓!"}},
	{"", []string{"Hello, !"}},
	{"  two  spaces  ", []string{"Hello,   two  spaces  !"}},
	{"carriage\r", []string{"Hello, carriage!"}},
	{"lone\rcarriage", []string{"Hello, lone\rcarriage!"}},
	{"first\nsecond", []string{"Hello, first!", "Hello, second!"}},
}

var echoExchanges = []exchange{
	{"hello", []string{"hello"}},
	{"ünïcödé ✓", []string{"ünïcödé ✓"}},
	{"", []string{""}},
	{"  two  spaces  ", []string{"  two  spaces  "}},
	{"first\nsecond", []string{"first", "second"}},
	{"lone\rcarriage", []string{"lone\rcarriage"}},
	{strings.Repeat("long line ", 20000), []string{strings.Repeat("long line ", 20000)}},
}

// dialExample opens a WebSocket to an example.
func dialExample(t *testing.T, addr, urlPath string, header http.Header) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+urlPath, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP status %d)", urlPath, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	return conn
}

// readUntilClose returns every text message up to the close frame, and the
// close code.
func readUntilClose(t *testing.T, conn *websocket.Conn) ([]string, int) {
	t.Helper()
	var messages []string
	for {
		_, data, err := conn.ReadMessage()
		var closed *websocket.CloseError
		if errors.As(err, &closed) {
			return messages, closed.Code
		}
		if err != nil {
			t.Fatalf("after %d messages: %v", len(messages), err)
		}
		messages = append(messages, string(data))
	}
}

func checkCount(t *testing.T, addr, urlPath string) {
	conn := dialExample(t, addr, urlPath, nil)
	got, code := readUntilClose(t, conn)
	want := strings.Fields("1 2 3 4 5 6 7 8 9 10")
	if !slices.Equal(got, want) || code != websocket.CloseNormalClosure {
		t.Errorf("count sent %q and closed with %d, want %q and 1000", got, code, want)
	}
}

func checkReplies(t *testing.T, addr, urlPath string, exchanges []exchange) {
	conn := dialExample(t, addr, urlPath, nil)
	for _, ex := range exchanges {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(ex.send)); err != nil {
			t.Fatalf("sending %q: %v", ex.send, err)
		}
		for _, want := range ex.want {
			_, got, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("after sending %.40q: %v", ex.send, err)
			}
			if string(got) != want {
				t.Fatalf("sent %.40q, got %.60q, want %.60q", ex.send, got, want)
			}
		}
	}
	// Closing the connection closes stdin: each of them then exits by
	// itself, with status 0.
	conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	if rest, code := readUntilClose(t, conn); len(rest) > 0 || code != websocket.CloseNormalClosure {
		t.Errorf("after the close: messages %q, close code %d, want none and 1000", rest, code)
	}
}

// checkDumpEnv checks that dump-env prints NAME=value lines sorted by name,
// among them the CGI variables of this very request. Of the two headers,
// sorted by name HTTP_X_EXAMPLE comes first, sorted as whole lines second.
func checkDumpEnv(t *testing.T, addr, urlPath string) {
	header := http.Header{"X-Example": {"dump-env"}, "X-Example2": {"sorted"}}
	conn := dialExample(t, addr, urlPath+"/extra/info?lang=x&n=1", header)
	lines, code := readUntilClose(t, conn)
	if code != websocket.CloseNormalClosure {
		t.Errorf("closed with %d, want 1000", code)
	}
	env := map[string]string{}
	var names []string
	for _, line := range lines {
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("line %q is not NAME=value", line)
		}
		env[name] = value
		names = append(names, name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("names not sorted: %v", names)
	}
	host, port, _ := strings.Cut(addr, ":")
	want := map[string]string{
		"GATEWAY_INTERFACE": "CGI/1.1",
		"SERVER_PROTOCOL":   "HTTP/1.1",
		"REQUEST_METHOD":    "GET",
		"SERVER_NAME":       host,
		"SERVER_PORT":       port,
		"REQUEST_URI":       urlPath + "/extra/info?lang=x&n=1",
		"SCRIPT_NAME":       urlPath,
		"PATH_INFO":         "/extra/info",
		"QUERY_STRING":      "lang=x&n=1",
		"REMOTE_ADDR":       "127.0.0.1",
		"REMOTE_HOST":       "127.0.0.1",
		"HTTP_HOST":         addr,
		"HTTP_X_EXAMPLE":    "dump-env",
		"HTTP_X_EXAMPLE2":   "sorted",
	}
	for name, value := range want {
		if got, ok := env[name]; !ok || got != value {
			t.Errorf("%s=%q (set: %v), want %q", name, got, ok, value)
		}
	}
	for _, name := range []string{"SERVER_SOFTWARE", "REMOTE_PORT", "UNIQUE_ID", "PATH"} {
		if env[name] == "" {
			t.Errorf("%s is missing or empty", name)
		}
	}
}
