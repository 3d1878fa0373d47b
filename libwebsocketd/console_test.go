package libwebsocketd

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestConsoleURL(t *testing.T) {
	tests := []struct {
		name, target string
		tls          bool
		want         string
	}{
		{"http", "http://example.com/chat", false, "ws://example.com/chat"},
		{"http with port and query", "http://example.com:8080/chat?room=1&x=a%20b", false, "ws://example.com:8080/chat?room=1&x=a%20b"},
		{"https target", "https://example.com/secure?q=1", false, "wss://example.com/secure?q=1"},
		{"TLS set by hand", "http://example.com/", true, "wss://example.com/"},
		{"encoded slash kept", "http://example.com/a%2Fb", false, "ws://example.com/a%2Fb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := consoleURL(r); got != tc.want {
				t.Errorf("consoleURL(%s) = %q, want %q", tc.target, got, tc.want)
			}
		})
	}
}

// get serves the console for r and returns the recorded response.
func get(t *testing.T, r *http.Request) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	serveConsole(rec, r)
	return rec.Result(), rec.Body.String()
}

func TestServeConsolePage(t *testing.T) {
	resp, body := get(t, httptest.NewRequest(http.MethodGet, "http://example.com:8080/chat?room=1&b=2", nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	// html/template writes & as &amp; inside the attribute.
	if want := `value="ws://example.com:8080/chat?room=1&amp;b=2"`; !strings.Contains(body, want) {
		t.Errorf("body lacks pre-filled URL %s", want)
	}
	for _, id := range []string{"url", "connect", "disconnect", "send-input", "send", "log", "status"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("body lacks element id=%q", id)
		}
	}
	if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(body)); got != want {
		t.Errorf("Content-Length = %s, body is %s bytes", got, want)
	}
	// A failed escape in html/template shows up as this marker.
	if strings.Contains(body, "ZgotmplZ") {
		t.Error("body contains ZgotmplZ: template escaping rejected a value")
	}
	// The page must be self-contained: nothing loaded from elsewhere.
	for _, s := range []string{"src=", "href=", "http://", "https://", "@import"} {
		if strings.Contains(body, s) {
			t.Errorf("body contains %q, the page must load no external resources", s)
		}
	}
}

func TestServeConsoleHeaders(t *testing.T) {
	resp, body := get(t, httptest.NewRequest(http.MethodGet, "/", nil))
	h := resp.Header
	if got := h.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "connect-src ws: wss:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9+/=]+)'; style-src 'nonce-([A-Za-z0-9+/=]+)'`).FindStringSubmatch(csp)
	if m == nil || m[1] != m[2] {
		t.Fatalf("CSP %q does not allow scripts and styles by one nonce", csp)
	}
	for _, tag := range []string{`<script nonce="` + m[1] + `">`, `<style nonce="` + m[1] + `">`} {
		if !strings.Contains(body, tag) {
			t.Errorf("body lacks %s matching the CSP nonce", tag)
		}
	}
	if strings.Count(body, "<script") != 1 || strings.Count(body, "<style") != 1 {
		t.Error("page should have exactly one script and one style element, both under the nonce")
	}
	other, _ := get(t, httptest.NewRequest(http.MethodGet, "/", nil))
	if other.Header.Get("Content-Security-Policy") == csp {
		t.Error("two responses share a nonce; it must be fresh each time")
	}
}

func TestServeConsoleEscapesHost(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Host = `evil"><script>x</script>`
	_, body := get(t, r)
	if strings.Contains(body, `"><script>x`) {
		t.Error("raw Host header injected into the page")
	}
	// url.URL.String percent-encodes the "/" in the host; html/template does the rest.
	if want := `value="ws://evil&#34;&gt;&lt;script&gt;x&lt;%2Fscript&gt;/"`; !strings.Contains(body, want) {
		t.Errorf("body lacks escaped host %s", want)
	}
}

func TestServeConsoleEscapesPath(t *testing.T) {
	_, body := get(t, httptest.NewRequest(http.MethodGet, `/"><script>alert(1)</script>`, nil))
	if strings.Contains(body, `<script>alert(1)`) {
		t.Error("raw path injected into the page")
	}
	if want := `value="ws://example.com/%22%3E%3Cscript%3Ealert%281%29%3C/script%3E"`; !strings.Contains(body, want) {
		t.Errorf("body lacks escaped path %s", want)
	}
}

func TestServeConsoleEscapesQuery(t *testing.T) {
	// url.URL.String copies RawQuery verbatim, so here only html/template stands
	// between the request and the markup.
	_, body := get(t, httptest.NewRequest(http.MethodGet, `/?q="><script>alert(1)</script>`, nil))
	if strings.Contains(body, `<script>alert(1)`) {
		t.Error("raw query injected into the page")
	}
	if want := `value="ws://example.com/?q=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`; !strings.Contains(body, want) {
		t.Errorf("body lacks escaped query %s", want)
	}
}

func TestServeConsoleRejectsOtherMethods(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		resp, body := get(t, httptest.NewRequest(method, "/", nil))
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: status = %d, want 405", method, resp.StatusCode)
		}
		if got := resp.Header.Get("Allow"); got != "GET, HEAD" {
			t.Errorf("%s: Allow = %q, want \"GET, HEAD\"", method, got)
		}
		if strings.Contains(body, "send-input") {
			t.Errorf("%s: 405 response contains the console page", method)
		}
	}
}

func TestServeConsoleHead(t *testing.T) {
	_, page := get(t, httptest.NewRequest(http.MethodGet, "/", nil))
	resp, body := get(t, httptest.NewRequest(http.MethodHead, "/", nil))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	if body != "" {
		t.Errorf("HEAD body has %d bytes, want none", len(body))
	}
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	// The nonce has a fixed length, so HEAD announces exactly what GET sends.
	if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(page)); got != want {
		t.Errorf("Content-Length = %s, want %s", got, want)
	}
}
