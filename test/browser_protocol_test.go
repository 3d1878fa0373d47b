//go:build !windows

package test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// browserEcho is what the page's script reports after one echo.
type browserEcho struct {
	Protocol   string `json:"protocol"`
	Extensions string `json:"extensions"`
	Same       bool   `json:"same"`
}

// browserEchoScript opens a WebSocket with the given protocols, sends
// text and reports, once the echo is back, what the browser negotiated.
func browserEchoScript(url, protocols, text string) string {
	return `new Promise((resolve, reject) => {
  const text = ` + text + `;
  const ws = new WebSocket("` + url + `", ` + protocols + `);
  ws.onopen = () => ws.send(text);
  ws.onmessage = (e) => {
    resolve({protocol: ws.protocol, extensions: ws.extensions, same: e.data === text});
    ws.close();
  };
  ws.onerror = () => reject(new Error("WebSocket error"));
})`
}

// runBrowserEcho runs the echo from a page of the server at page.
func runBrowserEcho(t *testing.T, s *server, page, url, protocols, text string) browserEcho {
	t.Helper()
	tab := newBrowser(t)
	if err := chromedp.Do(tab, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[browserEcho](
		browserEchoScript(url, protocols, text), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("echo in Chromium: %v\nserver log:\n%s", err, s.out)
	}
	return got
}

// Chromium's ws.protocol is the server's choice among those it offered.
func TestBrowserSubprotocol(t *testing.T) {
	s := startServer(t, "--subprotocol=v1.chat,v2.chat", "cat")
	got := runBrowserEcho(t, s, "http://"+s.addr+"/", s.url("/"), `["v2.chat", "v1.chat"]`, `"hello"`)
	if got.Protocol != "v1.chat" || !got.Same {
		t.Errorf("ws.protocol %q, echo the same: %v; want v1.chat and true", got.Protocol, got.Same)
	}
}

// Chromium negotiates permessage-deflate with --compress, and 1 MB of
// text crosses the wire in far fewer bytes.
func TestBrowserCompression(t *testing.T) {
	s := startServer(t, "--compress", "cat")
	proxy := startCountingProxy(t, s.addr)
	got := runBrowserEcho(t, s, "http://"+proxy.addr+"/", "ws://"+proxy.addr+"/", "[]", compressibleJS)
	if !strings.HasPrefix(got.Extensions, "permessage-deflate") || !got.Same {
		t.Errorf("ws.extensions %q, echo the same: %v; want permessage-deflate and true", got.Extensions, got.Same)
	}
	checkWireBytes(t, proxy, true)
}
