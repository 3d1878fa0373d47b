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
		waitLogLineStarting("close (1000"),
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
		waitLogLine("open"),
		chromedp.SendKeys(chromedp.CSS("#message"), send),
		chromedp.Click(chromedp.CSS("#send")),
		waitLogLine("> "+send),
		waitLogLine(reply),
	)
	if err != nil {
		log, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#log")))
		t.Fatalf("sending %q and waiting for %q: %v\npage log:\n%s", send, reply, err, log)
	}
}

// waitLogLine waits until the page's log has a line that reads exactly text.
func waitLogLine(text string) chromedp.Action[chromedp.Void] {
	return pollLog(`(line, text) => line === text`, text)
}

// waitLogLineStarting waits until a line of the page's log starts with text.
func waitLogLineStarting(text string) chromedp.Action[chromedp.Void] {
	return pollLog(`(line, text) => line.startsWith(text)`, text)
}

// pollLog waits until match(line, text) holds for a line of the page's log.
func pollLog(match, text string) chromedp.Action[chromedp.Void] {
	return chromedp.PollFunction[chromedp.Void](
		`(text) => [...document.querySelectorAll('#log > div')].some((d) => (`+match+`)(d.textContent, text))`,
		chromedp.WithPollingArgs(text), chromedp.WithPollingTimeout(readTimeout))
}
