//go:build !windows

package test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"
)

// strictJSON decodes one JSON value and fails on a name that appears twice
// in one object, at any depth, as strict parsers (Elasticsearch's among
// them) do; encoding/json would silently keep the last.
func strictJSON(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := uniqueNames(dec); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("more than one value in %q", data)
	}
	var record map[string]any
	return record, json.Unmarshal(data, &record)
}

func uniqueNames(dec *json.Decoder) error {
	token, err := dec.Token()
	if err != nil {
		return err
	}
	switch token {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			name, err := dec.Token()
			if err != nil {
				return err
			}
			if seen[name.(string)] {
				return fmt.Errorf("name %q appears twice", name)
			}
			seen[name.(string)] = true
			if err := uniqueNames(dec); err != nil {
				return err
			}
		}
	case json.Delim('['):
		for dec.More() {
			if err := uniqueNames(dec); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = dec.Token() // the closing '}' or ']'
	return err
}

func TestStrictJSONRejectsDuplicateNames(t *testing.T) {
	for _, bad := range []string{
		`{"a":1,"a":2}`, `{"a":{"b":1,"b":1}}`, `{"x":[{"c":1,"c":2}]}`, `{"a":1} {}`, `{"a":`,
	} {
		if _, err := strictJSON([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := strictJSON([]byte(`{"a":1,"b":{"a":2},"c":[{"a":3}]}`)); err != nil {
		t.Errorf("a valid record refused: %v", err)
	}
}

// Every JSON log line of a whole server life (start, a session with
// stdout, stderr, an exit status and its disconnect, refusals, plain
// requests, shutdown) is one valid record with each name once.
func TestJSONLogHasEachKeyOnce(t *testing.T) {
	s := startServer(t, "--logformat=json", "--loglevel=debug", "--origin=allowed.example",
		script(t, "talk.sh", "echo out\necho err >&2\nread line\nexit 3\n"))
	c := s.dial("/room")
	expectText(t, c, "out")
	send(t, c, websocket.TextMessage, "bye")
	if code, reason := expectClose(t, c); code != websocket.CloseInternalServerErr || reason != "exit status 3" {
		t.Fatalf("close %d %q, want 1011 exit status 3", code, reason)
	}
	if got := s.dialStatus("/room", http.Header{"Origin": {"http://evil.example"}}); got != http.StatusForbidden {
		t.Fatalf("foreign origin: %d, want 403", got)
	}
	if got := s.fetch("GET", "/plain", nil, ""); got.status != http.StatusNotFound {
		t.Fatalf("plain GET: %d, want 404", got.status)
	}
	waitFor(t, readTimeout, "the DISCONNECT line", func() bool { return len(s.out.lines(`"DISCONNECT"`)) > 0 })
	s.cmd.Process.Signal(syscall.SIGTERM)
	if code := s.wait(readTimeout); code != 0 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, s.out)
	}

	seen := map[string]map[string]any{} // a record of each message
	scanner := bufio.NewScanner(strings.NewReader(s.out.String()))
	for scanner.Scan() {
		record, err := strictJSON(scanner.Bytes())
		if err != nil {
			t.Errorf("log line %q: %v", scanner.Text(), err)
			continue
		}
		message, _ := record["msg"].(string)
		seen[strings.Fields(message + " x")[0]] = record
	}
	for first, category := range map[string]string{
		"serving": "server", "CONNECT": "session", "err": "stderr", "process": "session",
		"DISCONNECT": "session", "refused:": "http", "GET": "http", "shutting": "server",
	} {
		if record, ok := seen[first]; !ok || record["category"] != category {
			t.Errorf("no %q record of category %q: %v", first, category, record)
		}
	}
}

func TestJSONLogFormat(t *testing.T) {
	s := startServer(t, "--logformat=json", "cat")
	echoOnce(t, s.dial("/"), "logged")
	resp, err := http.Get("http://" + s.addr + "/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantURL := "http://" + s.addr + "/nothing-here"
	waitFor(t, readTimeout, "the 404 access record", func() bool {
		return strings.Contains(s.out.String(), wantURL)
	})
	var serving, access bool
	scanner := bufio.NewScanner(strings.NewReader(s.out.String()))
	for scanner.Scan() {
		var record map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &record); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", scanner.Text(), err)
		}
		msg, _ := record["msg"].(string)
		if _, ok := record["time"]; !ok || msg == "" {
			t.Errorf("record lacks time or msg: %q", scanner.Text())
		}
		serving = serving || record["level"] == "INFO" && strings.HasPrefix(msg, "serving ")
		access = access || record["level"] == "ACCESS" && record["url"] == wantURL &&
			strings.Contains(msg, "404")
	}
	if !serving || !access {
		t.Fatalf("missing the INFO serving record (%v) or the ACCESS record of %s (%v):\n%s",
			serving, wantURL, access, s.out)
	}
}
