package libwebsocketd

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCGIRequestIsSanitisedCopy(t *testing.T) {
	r := httptest.NewRequest("POST", "/hdr.cgi/x%0d%0aSet-Cookie:%20a=b%1b%00?q=1", strings.NewReader("body"))
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header["X-Evil"] = []string{"a\r\nInjected: 1"}
	r.Header["Bad Name"] = []string{"x"}
	c := cgiRequest(r)
	if want := "/hdr.cgi/x  Set-Cookie: a=b  "; c.URL.Path != want {
		t.Errorf("path %q, want %q", c.URL.Path, want)
	}
	if c.URL.RawQuery != "q=1" || c.RemoteAddr != "192.0.2.7:5555" || c.Host != r.Host {
		t.Errorf("query %q, remote %q, host %q changed", c.URL.RawQuery, c.RemoteAddr, c.Host)
	}
	if got := c.Header["X-Evil"]; len(got) != 1 || got[0] != "a  Injected: 1" {
		t.Errorf("X-Evil %q", got)
	}
	if _, ok := c.Header["Bad Name"]; ok {
		t.Error("a header no variable can be named for was kept")
	}
	if c.Body != r.Body || c.ContentLength != r.ContentLength || c.Method != "POST" {
		t.Error("the copy does not carry the request's body and method")
	}
	if r.URL.Path != "/hdr.cgi/x\r\nSet-Cookie: a=b\x1b\x00" || r.Header["X-Evil"][0] != "a\r\nInjected: 1" {
		t.Error("the original request was changed")
	}
	if got := cgiRequestURI(r); got != "REQUEST_URI=/hdr.cgi/x%0d%0aSet-Cookie:%20a=b%1b%00?q=1" {
		t.Errorf("%s", got)
	}
}

func TestSafeValue(t *testing.T) {
	cases := map[string]string{
		"plain":                 "plain",
		"a\r\nb":                "a  b",
		"nul\x00esc\x1bdel\x7f": "nul esc del ",
		"tab\tkept":             "tab\tkept",
		"é\xff\x80":             "é\xff\x80", // other bytes, valid UTF-8 or not, as they are
	}
	for in, want := range cases {
		if got := safeValue(in); got != want {
			t.Errorf("safeValue(%q) = %q, want %q", in, got, want)
		}
	}
}
