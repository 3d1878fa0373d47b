//go:build !windows

package test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The terminal page survives a cut connection (--resumems): it shows that
// it is reconnecting, comes back with its token, and the shell it had,
// with its state, goes on.
func TestBrowserTerminalSurvivesACutConnection(t *testing.T) {
	tab := newBrowser(t)
	bash := requireTool(t, "bash")
	s := startServer(t, "--devconsole", "--terminal", "--resumems=60000", bash, "--norc", "--noprofile", "-i")
	proxy := startCuttingProxy(t, s.addr)
	const watchStatus = `window.statusSeen = [];
		new MutationObserver(() => statusSeen.push(document.getElementById("status").textContent))
			.observe(document.getElementById("status"), {childList: true, characterData: true, subtree: true});`
	err := chromedp.Do(tab,
		chromedp.Navigate("http://"+proxy.addr+"/"),
		chromedp.WaitVisible(chromedp.CSS("#status.open")),
		chromedp.Focus(chromedp.CSS(".xterm-helper-textarea")),
		typeKeys("kept=state-$((3+4)); echo set-$kept\r"),
	)
	if err != nil {
		t.Fatalf("typing into the terminal page: %v\nserver log:\n%s", err, s.out)
	}
	awaitTerminalLine(t, tab, s, "set-state-7")
	shells := s.children()
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](watchStatus)); err != nil {
		t.Fatalf("watching the status: %v", err)
	}
	proxy.cut()
	s.awaitLines("the process is kept for the client's return", 1)
	// "open" again once the page has seen the cut and come back.
	waitFor(t, readTimeout, "the page to reconnect", func() bool {
		back, err := chromedp.Run(tab, chromedp.Evaluate[bool](`statusSeen.includes("open")`))
		return err == nil && back
	})
	err = chromedp.Do(tab,
		chromedp.Focus(chromedp.CSS(".xterm-helper-textarea")),
		typeKeys("echo after-$kept\r"),
	)
	if err != nil {
		t.Fatalf("typing after the cut: %v\nserver log:\n%s", err, s.out)
	}
	awaitTerminalLine(t, tab, s, "after-state-7")
	seen, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`statusSeen`))
	if err != nil || len(seen) == 0 || seen[0] != "reconnecting\u2026" {
		t.Errorf("the status went through %q (%v), want reconnecting… first", seen, err)
	}
	if now := s.children(); len(now) != 1 || len(shells) != 1 || now[0] != shells[0] {
		t.Errorf("shells %v after the cut, %v before: want the same one", now, shells)
	}
}
