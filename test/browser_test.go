//go:build !windows

package test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium is Debian's browser, which .ci/run installs.
const chromium = "/usr/bin/chromium"

// browserTimeout bounds the whole browser session, start to close.
const browserTimeout = 90 * time.Second

// newBrowser starts a headless Chromium with a profile of its own and
// returns a context to drive one tab of it. The browser is gone when the
// test ends. Without Chromium the test is skipped, except in CI, where
// its absence is a failure.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs Chromium at %s: %v", chromium, err)
		}
		t.Skipf("no Chromium at %s (apt-get install chromium): %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // we run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 700),
	)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	return tab
}

// The dev console works in a real browser: it connects to the page's own
// server, sends what is typed, shows the echo, and shows the close.
func TestBrowserDevConsoleEcho(t *testing.T) {
	tab := newBrowser(t)
	s := startServer(t, "--devconsole", "cat")
	const typed = "hello from Chromium, ünïcödé"
	err := chromedp.Do(tab,
		chromedp.Navigate("http://"+s.addr+"/echo"),
		chromedp.WaitVisible(chromedp.CSS("#connect")),
		chromedp.Click(chromedp.CSS("#connect")),
		chromedp.WaitVisible(chromedp.CSS("#status.open")),
		chromedp.SendKeys(chromedp.CSS("#send-input"), typed),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#log .event.message")),
	)
	if err != nil {
		t.Fatalf("sending from the console: %v\nserver log:\n%s", err, s.out)
	}
	echoed := textOf(t, tab, "#log .event.message")
	if want := "← " + typed; echoed != want {
		t.Errorf("echoed message %q, want %q", echoed, want)
	}
	screenshot, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil || !bytes.HasPrefix(screenshot, []byte("\x89PNG")) {
		t.Errorf("screenshot: %v (%d bytes)", err, len(screenshot))
	}
	saveScreenshot(t, screenshot)
	err = chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#disconnect")),
		chromedp.WaitVisible(chromedp.CSS("#log .event.close")),
	)
	if err != nil {
		t.Fatalf("disconnecting: %v\nserver log:\n%s", err, s.out)
	}
	if closed := textOf(t, tab, "#log .event.close"); !strings.HasPrefix(closed, "close code=1000") {
		t.Errorf("close event %q, want code 1000", closed)
	}
	if status := textOf(t, tab, "#status"); status != "closed" {
		t.Errorf("status %q after Disconnect, want closed", status)
	}
	s.waitNoChildren(readTimeout)
}

// textOf returns the text of the first element that selector matches.
func textOf(t *testing.T, tab context.Context, selector string) string {
	t.Helper()
	text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("reading %s: %v", selector, err)
	}
	return text
}

// saveScreenshot keeps the page's picture for a person to look at when
// WEBSOCKETD_SCREENSHOT names a file; it is never checked in.
func saveScreenshot(t *testing.T, png []byte) {
	path := os.Getenv("WEBSOCKETD_SCREENSHOT")
	if path == "" {
		return
	}
	if err := os.WriteFile(filepath.Clean(path), png, 0o644); err != nil {
		t.Errorf("saving the screenshot: %v", err)
	}
}
