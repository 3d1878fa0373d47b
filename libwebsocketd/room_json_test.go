package libwebsocketd

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseRoomCommand(t *testing.T) {
	for _, good := range []string{
		`{"data":"hi"}`, `{"data":""}`, `{"base64":"AAEC"}`, `{"to":["a","b"],"data":"x"}`,
		`{"except":["a"],"base64":""}`, `{"close":"a"}`, `{"close":"a","code":4000,"reason":"no"}`,
		`{"close":"a","code":1000}`,
	} {
		if _, err := parseRoomCommand([]byte(good)); err != nil {
			t.Errorf("%s: %v", good, err)
		}
	}
	for bad, want := range map[string]string{
		`hello`:                               "not a JSON object",
		`{"data":"a"} {"data":"b"}`:           "more than one",
		`{}`:                                  "exactly one",
		`{"data":"a","base64":"AA=="}`:        "exactly one",
		`{"data":"a","close":"x"}`:            "exactly one",
		`{"to":["a"],"except":[],"data":"x"}`: `"to" and "except"`,
		`{"close":"a","to":["b"]}`:            `"close" takes no`,
		`{"data":"a","code":4000}`:            `go with "close"`,
		`{"close":"a","code":1001}`:           "want 1000 or 3000-4999",
		`{"close":"a","code":5000}`:           "want 1000 or 3000-4999",
		`{"data":"a","extra":1}`:              "unknown field",
		`{"data":5}`:                          "not a JSON object",
		`{"close":"a","reason":"` + strings.Repeat("r", 124) + `"}`: "over 123 bytes",
	} {
		_, err := parseRoomCommand([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", bad, err, want)
		}
	}
}

// Events carry no newline of their own (the room's codec ends each line),
// and none inside.
func TestRoomEventsAreOneJSONLineEach(t *testing.T) {
	for _, line := range [][]byte{
		joinEvent("ID", "127.0.0.1:5", ""), messageEvent("ID", []byte("a\nb\"c"), 1),
		messageEvent("ID", []byte{0xff, 0}, 2), leaveEvent("ID", 1001, "going"),
	} {
		if strings.ContainsAny(string(line), "\r\n") {
			t.Fatalf("%q is not one line", line)
		}
		var event map[string]any
		if err := json.Unmarshal(line, &event); err != nil || event["client"] != "ID" {
			t.Fatalf("%q: %v", line, err)
		}
	}
	var message map[string]any
	json.Unmarshal(messageEvent("ID", []byte{0xff, 0}, 2), &message)
	if message["base64"] != "/wA=" || message["data"] != nil {
		t.Fatalf("binary message event %v", message)
	}
	var join map[string]any
	json.Unmarshal(joinEvent("ID", "r", ""), &join)
	if q, ok := join["query"]; !ok || q != "" {
		t.Fatalf("join event without its query: %v", join)
	}
}
