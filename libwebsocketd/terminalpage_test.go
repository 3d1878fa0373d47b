package libwebsocketd

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/websocketd/websocketd/third_party/xterm"
)

func TestTerminalPageEscapesTheURLAndHoldsItsScripts(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, `http://example.com/t?x="</script><script>alert(1)</script>`, nil)
	r.Host = `evil"><img src=x onerror=alert(2)>`
	rec := httptest.NewRecorder()
	serveTerminalPage(rec, r)
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x") {
		t.Fatalf("the request's URL reached the page unescaped")
	}
	csp := rec.Header().Get("Content-Security-Policy")
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
	if nonce == nil || !strings.Contains(csp, "script-src 'nonce-") || !strings.Contains(csp, "connect-src ws: wss:") {
		t.Fatalf("policy %q lacks the console's rules", csp)
	}
	// Every script and style element carries the nonce, and no code comes
	// from elsewhere (no CDN).
	for _, tag := range regexp.MustCompile(`<(script|style)[^>]*>`).FindAllString(body, -1) {
		if tag != `<script nonce="`+nonce[1]+`">` && tag != `<style nonce="`+nonce[1]+`">` {
			t.Errorf("element %s without the response's nonce", tag)
		}
	}
	if !strings.Contains(body, xterm.Script[:200]) || !strings.Contains(body, xterm.FitScript[:200]) {
		t.Errorf("the page does not hold the vendored scripts")
	}
}

// The vendored code goes into the page as it is, trusted: it must hold
// nothing that would end its element early.
func TestVendoredXtermCannotEndItsElement(t *testing.T) {
	for name, code := range map[string]string{"xterm.js": xterm.Script, "addon-fit.js": xterm.FitScript} {
		if lower := strings.ToLower(code); strings.Contains(lower, "</script") || strings.Contains(lower, "<!--") {
			t.Errorf("%s holds </script or <!--", name)
		}
	}
	if strings.Contains(strings.ToLower(xterm.Style), "</style") {
		t.Errorf("xterm.css holds </style")
	}
}
