package libwebsocketd

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseLevel(t *testing.T) {
	order := []string{"debug", "trace", "access", "info", "error", "fatal", "none"}
	previous, _ := ParseLevel("debug")
	for _, name := range order[1:] {
		level, err := ParseLevel(strings.ToUpper(name))
		if err != nil || level <= previous {
			t.Errorf("%s: level %v (err %v) should be above %v", name, level, err, previous)
		}
		previous = level
	}
	if _, err := ParseLevel("verbose"); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestClassicLayout(t *testing.T) {
	var out bytes.Buffer
	log := NewLogger(&out, LevelAccess, "text")
	log.With("category", "session", "pid", 42, "url", "http://h/x").
		Log(nil, LevelAccess, "CONNECT", "remote", "1.2.3.4:5", "extra", "e\nf")
	log.Debug("hidden")
	line := out.String()
	pattern := `^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4} \| ACCESS \| session \| ` +
		`url:'http://h/x' remote:'1.2.3.4:5' pid:'42' extra:'e\\nf' \| CONNECT\n$`
	if !regexp.MustCompile(pattern).MatchString(line) {
		t.Fatalf("line %q does not match the classic layout", line)
	}
	if _, err := time.Parse(time.RFC1123Z, strings.Split(line, " | ")[0]); err != nil {
		t.Fatalf("time is not RFC1123Z: %v", err)
	}
}

func TestJSONFormat(t *testing.T) {
	var out bytes.Buffer
	NewLogger(&out, LevelAccess, "json").Log(nil, LevelAccess, "CONNECT", "url", "http://h/")
	var record map[string]any
	if err := json.Unmarshal(out.Bytes(), &record); err != nil {
		t.Fatalf("not JSON: %q", out.String())
	}
	if record["level"] != "ACCESS" || record["msg"] != "CONNECT" || record["url"] != "http://h/" {
		t.Fatalf("record %v", record)
	}
}

func TestLevelNoneLogsNothing(t *testing.T) {
	var out bytes.Buffer
	NewLogger(&out, LevelNone, "text").Log(nil, LevelFatal, "x")
	if out.Len() != 0 {
		t.Fatalf("logged %q at level none", out.String())
	}
}
