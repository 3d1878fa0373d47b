//go:build !windows

package test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// The index page's links to the terminal and the dev console lead, under
// `make run`, to those pages, each set to talk to its own path; the
// terminal's WebSocket is a shell that runs what is typed, the console's
// the echo example.
func TestMakeRunServesTheTerminalAndTheConsole(t *testing.T) {
	needTool(t, "make")
	needTool(t, "bash")
	run := startMakeRun(t, "")
	site := "http://" + run.addr + "/"
	for link, want := range map[string]string{
		"Terminal":    `<span class="url" id="url">ws://` + run.addr + `/terminal</span>`,
		"Dev console": `<input id="url" type="text" spellcheck="false" autocomplete="off" value="ws://` + run.addr + `/console">`,
	} {
		page := followLink(t, site, link)
		if status, body := httpGet(t, page); status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("the %s link (%s): %d, want the page holding %s\n%.300s", link, page, status, want, body)
		}
	}

	shell := &terminalClient{t: t, c: dialExample(t, run.addr, "/terminal", nil)}
	shell.typeText(setPrompt)
	shell.await(prompt)
	shell.typeText("echo typed-$((6*7))\r")
	shell.await("typed-42\r\n")

	checkReplies(t, run.addr, "/console", echoExchanges[:2])
}

// No other web page open in the browser reaches make run's shell or its
// examples: a WebSocket with another Origin is refused; the pages' own,
// same-origin, connect.
func TestMakeRunRefusesOtherOrigins(t *testing.T) {
	needTool(t, "make")
	needTool(t, "bash")
	run := startMakeRun(t, "")
	for _, path := range []string{"/terminal", "/console", "/bash/echo.sh", "/rooms/plain/chat.sh"} {
		for origin, want := range map[string]int{
			"http://attacker.example": http.StatusForbidden,
			"http://" + run.addr:      http.StatusSwitchingProtocols,
		} {
			conn, resp, err := websocket.DefaultDialer.Dial("ws://"+run.addr+path, http.Header{"Origin": {origin}})
			if err == nil {
				conn.Close()
			}
			got := 0
			if resp != nil {
				got = resp.StatusCode
			}
			if got != want {
				t.Errorf("%s with Origin %s: HTTP %d (%v), want %d", path, origin, got, err, want)
			}
		}
	}
}

// followLink returns the URL that the link whose text is text, on the page
// at pageURL, leads to.
func followLink(t *testing.T, pageURL, text string) string {
	t.Helper()
	status, page := httpGet(t, pageURL)
	anchor := regexp.MustCompile(`<a href="([^"]*)">` + regexp.QuoteMeta(text) + `</a>`)
	m := anchor.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("%s (%d) has no link %q", pageURL, status, text)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := url.Parse(m[1])
	if err != nil {
		t.Fatalf("the link %q: %v", text, err)
	}
	return base.ResolveReference(ref).String()
}
