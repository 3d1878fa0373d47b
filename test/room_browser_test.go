//go:build !windows

package test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The rooms page of the examples, in two tabs of a real browser, served
// with the rooms from examples/site.toml: both tabs talk to the same room
// processes, found on the page's own server.
func TestBrowserRoomsPage(t *testing.T) {
	tab := newBrowser(t)
	requireTool(t, "python3")
	requireTool(t, "node")
	s := startServer(t, "--config="+siteFile)
	open := func(tab context.Context) {
		if err := chromedp.Do(tab, chromedp.Navigate("http://"+s.addr+"/rooms.html"),
			chromedp.WaitVisible(chromedp.CSS("#presence .log div"))); err != nil {
			t.Fatalf("opening the rooms page: %v\n%s", err, s.out)
		}
	}
	open(tab)
	// A second tab of the same browser, once it runs.
	second, closeSecond := chromedp.NewContext(tab)
	defer closeSecond()
	open(second)
	awaitLogLine(t, tab, "#presence", "2 people here")
	err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#chat form input"), "hello from tab one"+kb.Enter),
		chromedp.SendKeys(chromedp.CSS("#named .name"), "alice"),
		chromedp.Click(chromedp.CSS("#named .join")),
	)
	if err != nil {
		t.Fatalf("chatting: %v", err)
	}
	awaitLogLine(t, second, "#chat", "hello from tab one")
	awaitLogLine(t, tab, "#named", "alice joined (1 here)")
	saveScreenshot(t, mustScreenshot(t, second))
}

// awaitLogLine waits until the log of a room box on the page has want.
func awaitLogLine(t *testing.T, tab context.Context, box, want string) {
	t.Helper()
	var lines []string
	waitFor(t, readTimeout, box+" to show "+want, func() bool {
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](
			`document.querySelector("`+box+` .log").innerText`))
		if err != nil {
			t.Fatalf("reading %s: %v", box, err)
		}
		lines = strings.Split(text, "\n")
		for _, line := range lines {
			if line == want {
				return true
			}
		}
		return false
	})
}

// The rooms page as a new user reaches it: `make run`, the page it prints,
// the Rooms link. The rooms are on the page's own port, so the presence
// counter counts this tab and a chat line comes back through the plain
// room.
func TestBrowserRoomsPageUnderMakeRun(t *testing.T) {
	tab := newBrowser(t)
	needTool(t, "make")
	needTool(t, "node")
	run := startMakeRun(t, "")
	err := chromedp.Do(tab,
		chromedp.Navigate("http://"+run.addr+"/"),
		chromedp.Click(chromedp.CSS(`a[href="rooms.html"]`)),
		chromedp.WaitVisible(chromedp.CSS("#presence .log div")),
	)
	if err != nil {
		t.Fatalf("following the Rooms link of the index page: %v\n%s", err, run.out)
	}
	awaitLogLine(t, tab, "#presence", "1 person here")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#chat form input"), "hello from make run"+kb.Enter)); err != nil {
		t.Fatalf("chatting: %v", err)
	}
	awaitLogLine(t, tab, "#chat", "hello from make run")
}
