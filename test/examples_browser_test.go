//go:build !windows

package test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// The example page works in a real browser under `make run`: picking a
// script from the list fills in the path and talks to it, and a path typed
// by hand works too.
func TestBrowserExamplePage(t *testing.T) {
	tab := newBrowser(t)
	needTool(t, "make")
	run := startMakeRun(t, "")
	err := chromedp.Do(tab,
		chromedp.Navigate("http://"+run.addr+"/"),
		chromedp.WaitVisible(chromedp.CSS("#connect")),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('script');
			s.value = '/go/greeter'; s.dispatchEvent(new Event('change')); })()`),
	)
	if err != nil {
		t.Fatalf("opening the page: %v\n%s", err, run.out)
	}
	if path, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#path"))); err != nil || path != "/go/greeter" {
		t.Fatalf("path field %q (%v) after picking /go/greeter", path, err)
	}
	talkOnPage(t, tab, "Ada", "Hello, Ada!")
	err = chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#connect")), // now "Disconnect"
		waitLastLogLineStarting("close (1000"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('path').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#path"), "/ruby/echo.rb"),
	)
	if err != nil {
		t.Fatalf("disconnecting and typing a path: %v\n%s", err, run.out)
	}
	talkOnPage(t, tab, "typed by hand", "typed by hand")
}

// talkOnPage connects with the page's button, sends a message from the
// page's form and waits for the reply in the page's log.
func talkOnPage(t *testing.T, tab context.Context, send, reply string) {
	t.Helper()
	err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#connect")),
		waitLastLogLine("open"),
		chromedp.SendKeys(chromedp.CSS("#message"), send),
		chromedp.Click(chromedp.CSS("#send")),
		waitLastLogLine(reply),
	)
	if err != nil {
		log, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#log")))
		t.Fatalf("sending %q and waiting for %q: %v\npage log:\n%s", send, reply, err, log)
	}
}

// waitLastLogLine waits until the newest line of the page's log reads text.
// (Older lines may read the same, from an earlier connection.)
func waitLastLogLine(text string) chromedp.Action[chromedp.Void] {
	return pollLastLogLine(`(line, text) => line === text`, text)
}

// waitLastLogLineStarting waits until the newest line of the page's log
// starts with text.
func waitLastLogLineStarting(text string) chromedp.Action[chromedp.Void] {
	return pollLastLogLine(`(line, text) => line.startsWith(text)`, text)
}

// pollLastLogLine waits until match(line, text) holds for the newest line
// of the page's log.
func pollLastLogLine(match, text string) chromedp.Action[chromedp.Void] {
	return chromedp.PollFunction[chromedp.Void](
		`(text) => { const last = document.querySelector('#log > div:last-child');
			return last !== null && (`+match+`)(last.textContent, text); }`,
		chromedp.WithPollingArgs(text), chromedp.WithPollingTimeout(readTimeout))
}

// The Terminal link of the index page, under `make run`: the page opens a
// shell (its WebSocket comes from the page's own origin, which make run's
// routes require), and what is typed there runs.
func TestBrowserTerminalPageUnderMakeRun(t *testing.T) {
	tab := newBrowser(t)
	needTool(t, "make")
	needTool(t, "bash")
	run := startMakeRun(t, "")
	err := chromedp.Do(tab,
		chromedp.Navigate("http://"+run.addr+"/"),
		chromedp.Click(chromedp.CSS(`a[href="terminal"]`)),
		chromedp.WaitVisible(chromedp.CSS("#status.open")),
		chromedp.Focus(chromedp.CSS(".xterm-helper-textarea")),
		typeKeys("echo typed-$((6*7))\r"),
		chromedp.PollFunction[chromedp.Void](`() => { const b = websocketdTerminal.buffer.active;
			for (let i = 0; i < b.length; i++) if (b.getLine(i).translateToString(true) === 'typed-42') return true;
			return false; }`, chromedp.WithPollingTimeout(readTimeout)),
	)
	if err != nil {
		t.Fatalf("typing into the terminal page of make run: %v\n%s", err, run.out)
	}
}
