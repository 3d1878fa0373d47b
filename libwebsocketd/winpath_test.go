package libwebsocketd

import (
	"net/url"
	"strings"
	"testing"
)

func TestWindowsSegmentRules(t *testing.T) {
	accepted := []string{"echo.exe", "run.BAT", "my script.cmd", "a~b.exe", "CONSOLE.exe",
		"con2.exe", "LPT10.bat", "naïve.exe", "a.b.c"}
	refused := []string{"C:", "x.exe:evil", "x.exe::$DATA", "CON", "con.txt", "Nul .exe",
		"COM1.bat", "lpt¹", "conin$", "run.exe.", "run.exe ", "PROGRA~1", "RUNME~12.BAT",
		`a\b`, "a/b", "a|b", "a*", "a?", `a"b`, "a<b", "a>b", "tab\there", "\x7f", ""}
	for _, s := range accepted {
		if !windowsSegmentOK(s) {
			t.Errorf("%q refused, want accepted", s)
		}
	}
	for _, s := range refused {
		if windowsSegmentOK(s) {
			t.Errorf("%q accepted, want refused", s)
		}
	}
}

// win32Component models what Windows makes of one path component when it
// opens a file: the name it really opens (trailing dots and spaces
// dropped) and whether the component is something other than a plain name
// in the directory (a drive, a stream, a device, a short-name alias, a
// step up or a separator). Written from the Win32 path rules, apart from
// windowsSegmentOK, so that the fuzz compares two readings of them.
func win32Component(c string) (opened string, special bool) {
	if strings.ContainsAny(c, `\/`) || c == "." || c == ".." {
		return c, true
	}
	if strings.Contains(c, ":") {
		return c, true
	}
	for _, r := range c {
		if r < 32 || r == 127 || strings.ContainsRune(`<>"|?*`, r) {
			return c, true
		}
	}
	opened = strings.TrimRight(c, ". ")
	stem := strings.ToUpper(strings.TrimRight(strings.SplitN(opened, ".", 2)[0], " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return opened, true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) &&
		stem[3] >= '1' && stem[3] <= '9' {
		return opened, true
	}
	if (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) &&
		strings.ContainsAny(stem[3:], "¹²³") && len([]rune(stem)) == 4 {
		return opened, true
	}
	if tilde := strings.IndexByte(c, '~'); tilde >= 0 && strings.ContainsAny(c[tilde:], "0123456789") {
		// A tilde before a digit anywhere after it may be a short name.
		for i := tilde; i+1 < len(c); i++ {
			if c[i] == '~' && c[i+1] >= '0' && c[i+1] <= '9' {
				return opened, true
			}
		}
	}
	return opened, false
}

// FuzzWindowsSegment: every URL path segment the Windows rules accept is,
// to Windows, a plain name in its directory that opens exactly the file
// it names: no drive, stream, device, short name or separator, and
// nothing Windows would trim.
func FuzzWindowsSegment(f *testing.F) {
	for _, seed := range []string{"/echo.exe", "/C:/x", "/x.exe%3A%3A$DATA", "/CON", "/nul.exe",
		"/run.exe.", "/run.exe%20", "/PROGRA~1/x.exe", "/a%5Cb.exe", "/com%C2%B9", "/LPT1.bat"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, escapedPath string) {
		for _, raw := range strings.Split(strings.TrimPrefix(escapedPath, "/"), "/") {
			segment, err := url.PathUnescape(raw)
			if err != nil || !windowsSegmentOK(segment) {
				continue
			}
			opened, special := win32Component(segment)
			if special || opened != segment {
				t.Fatalf("%q accepted, but Windows opens %q (special: %v)", segment, opened, special)
			}
		}
	})
}

func TestCGIBatchPathRefusesWhatCmdReadsAsSyntax(t *testing.T) {
	if !cgiBatchPathOK(`C:\www\cgi bin\hello.bat`) {
		t.Error("a plain path with a space refused")
	}
	for _, bad := range []string{`C:\a&b.bat`, `C:\(x)\y.bat`, `C:\a^b.bat`, `C:\50%.bat`, `C:\@x.cmd`} {
		if cgiBatchPathOK(bad) {
			t.Errorf("%s accepted for cmd.exe /c", bad)
		}
	}
}
