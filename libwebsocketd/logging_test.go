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

// A key given by the logger and again by the record appears once, with
// the record's value, in the place where the logger put it.
func TestEachKeyOnceInARecord(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var out bytes.Buffer
		log := NewLogger(&out, LevelDebug, format).With("category", "session", "pid", 7, "status", "a")
		log.With("status", "b").Error("a line", "category", "stderr", "status", "c", "msg", "posing")
		line := out.String()
		keys, categoryWanted := []string{`"category"`, `"status"`, `"pid"`, `"c"`}, `"category":"stderr"`
		if format == "text" {
			keys, categoryWanted = []string{"status:", "pid:", "'c'"}, "| stderr |"
		}
		for _, key := range keys {
			if n := strings.Count(line, key); n != 1 {
				t.Errorf("%s: %s appears %d times in %q", format, key, n, line)
			}
		}
		if !strings.Contains(line, categoryWanted) || strings.Contains(line, "session") {
			t.Errorf("%s: the record's category does not win: %q", format, line)
		}
		if format == "json" {
			var record map[string]any
			if err := json.Unmarshal([]byte(line), &record); err != nil {
				t.Fatalf("not JSON: %q", line)
			}
			if record["msg"] != "a line" || record["attr_msg"] != "posing" || record["category"] != "stderr" {
				t.Errorf("record %v", record)
			}
		}
	}
}

// Keys inside a group are a namespace of their own: the same key outside
// and inside is not a duplicate, and is kept.
func TestGroupKeepsItsOwnKeys(t *testing.T) {
	var out bytes.Buffer
	NewLogger(&out, LevelDebug, "json").With("k", 1, "k", 2).WithGroup("g").With("k", 3).
		Info("m", "k", 4)
	var record struct {
		K int
		G struct{ K int }
	}
	if err := json.Unmarshal(out.Bytes(), &record); err != nil {
		t.Fatalf("not JSON: %q", out.String())
	}
	if record.K != 2 || record.G.K != 4 || strings.Count(out.String(), `"k"`) != 2 {
		t.Fatalf("got %q", out.String())
	}
}
