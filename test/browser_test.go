//go:build !windows

package test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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

// The terminal page works in a real browser: what is typed through the
// page reaches a shell, the shell's output lands in xterm.js's buffer, and
// the remote window follows the browser's.
func TestBrowserTerminal(t *testing.T) {
	tab := newBrowser(t)
	bash := requireTool(t, "bash")
	s := startServer(t, "--devconsole", "--terminal", bash, "--norc", "--noprofile", "-i")
	err := chromedp.Do(tab,
		chromedp.Navigate("http://"+s.addr+"/"),
		chromedp.WaitVisible(chromedp.CSS("#status.open")),
		chromedp.Focus(chromedp.CSS(".xterm-helper-textarea")),
		typeKeys("echo hello-$((1+1))\r"),
	)
	if err != nil {
		t.Fatalf("typing into the terminal page: %v\nserver log:\n%s", err, s.out)
	}
	awaitTerminalLine(t, tab, s, "hello-2")

	cols, rows := terminalSize(t, tab)
	for _, size := range [][2]int64{{700, 400}, {1200, 800}} {
		if err := chromedp.Do(tab, chromedp.EmulateViewport(size[0], size[1])); err != nil {
			t.Fatalf("resizing the viewport: %v", err)
		}
		was := [2]int{cols, rows}
		waitFor(t, readTimeout, "xterm.js to fit the new viewport", func() bool {
			cols, rows = terminalSize(t, tab)
			return [2]int{cols, rows} != was
		})
		if err := chromedp.Do(tab, typeKeys("stty size\r")); err != nil {
			t.Fatalf("typing stty size: %v", err)
		}
		awaitTerminalLine(t, tab, s, fmt.Sprintf("%d %d", rows, cols))
	}
	err = chromedp.Do(tab, typeKeys("exit\r"), chromedp.WaitVisible(chromedp.CSS("#status.closed")))
	if err != nil {
		t.Fatalf("exiting the shell: %v", err)
	}
	if status := textOf(t, tab, "#status"); status != "closed: 1000" {
		t.Errorf("status %q after exit, want closed: 1000", status)
	}
	saveScreenshot(t, mustScreenshot(t, tab))
	// Reconnect starts a new session, which answers what is typed.
	err = chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#reconnect")),
		chromedp.WaitVisible(chromedp.CSS("#status.open")),
		chromedp.Focus(chromedp.CSS(".xterm-helper-textarea")),
		typeKeys("echo again-$((2+2))\r"),
	)
	if err != nil {
		t.Fatalf("reconnecting: %v", err)
	}
	awaitTerminalLine(t, tab, s, "again-4")
}

// awaitTerminalLine waits until a line of xterm.js's buffer is exactly want.
func awaitTerminalLine(t *testing.T, tab context.Context, s *server, want string) {
	t.Helper()
	const readBuffer = `(() => { const b = websocketdTerminal.buffer.active; const lines = [];
		for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
		return lines; })()`
	var lines []string
	deadline := time.Now().Add(readTimeout)
	for !slices.Contains(lines, want) {
		if time.Now().After(deadline) {
			t.Fatalf("no line %q in the terminal; it shows:\n%s\nserver log:\n%s",
				want, strings.Join(lines, "\n"), s.out)
		}
		time.Sleep(20 * time.Millisecond)
		var err error
		if lines, err = chromedp.Run(tab, chromedp.Evaluate[[]string](readBuffer)); err != nil {
			t.Fatalf("reading the terminal's buffer: %v", err)
		}
	}
}

func terminalSize(t *testing.T, tab context.Context) (cols, rows int) {
	t.Helper()
	size, err := chromedp.Run(tab, chromedp.Evaluate[[2]int](`[websocketdTerminal.cols, websocketdTerminal.rows]`))
	if err != nil {
		t.Fatalf("reading the terminal's size: %v", err)
	}
	return size[0], size[1]
}

func mustScreenshot(t *testing.T, tab context.Context) []byte {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}

// typeKeys presses the keys for text in the focused element, as a person
// at a keyboard would. chromedp's own KeyEvent sends a key-down and then a
// separate char event, which xterm.js, handling both, types twice; a real
// keyboard's key-down carries its text and makes one keypress.
func typeKeys(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		for _, r := range text {
			var down, up *input.DispatchKeyEventParams
			for _, event := range kb.Encode(r) {
				switch event.Type {
				case kb.KeyDown:
					down = event
				case kb.KeyUp:
					up = event
				case kb.KeyChar:
					down.Text, down.UnmodifiedText = event.Text, event.UnmodifiedText
				}
			}
			if r == '\r' {
				down.Text = "\r"
			}
			for _, event := range []*input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, target, input.DispatchKeyEvent, *event); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
