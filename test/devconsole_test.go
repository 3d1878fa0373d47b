//go:build !windows

package test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// --devconsole: the console page, which shows the request's URL, escapes
// whatever a hostile URL holds.

// urlField is the console's URL input as it must look: one attribute value
// with no quote or angle bracket in it, closed where the markup closes it.
var urlField = regexp.MustCompile(`<input id="url" [^<>]*value="([^"'<>]*)">`)

func TestConsoleEscapesHostileURL(t *testing.T) {
	s := startServer(t, "--devconsole", "cat")
	for _, target := range []string{
		`/"><script>alert(1)</script>?q="><script>alert(2)</script>`,
		`/%22%3E%3Cscript%3Ealert(1)%3C/script%3E?q=%22%3E%3Cscript%3Ealert(2)%3C/script%3E`,
		`/'onmouseover='alert(1)'?q='><img%20src=x%20onerror=alert(3)>`,
	} {
		got := s.rawRequest("GET " + target + " HTTP/1.1\r\nHost: " + s.addr + "\r\n\r\n")
		if got.status != 200 {
			t.Errorf("GET %s: %d, want the console page", target, got.status)
			continue
		}
		for _, raw := range []string{"<script>alert", "<img", "'onmouseover"} {
			if strings.Contains(got.body, raw) {
				t.Errorf("GET %s: the page holds %q unescaped", target, raw)
			}
		}
		field := urlField.FindStringSubmatch(got.body)
		if field == nil || !strings.HasPrefix(field[1], "ws://"+s.addr+"/") || !strings.Contains(field[1], "alert") {
			t.Errorf("GET %s: the URL field is not the escaped socket URL: %v", target, field)
		}
	}
	post := s.fetch("POST", "/", nil, "x")
	if post.status != http.StatusMethodNotAllowed || post.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST to the console: %d, Allow %q", post.status, post.header.Get("Allow"))
	}
}
