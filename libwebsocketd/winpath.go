package libwebsocketd

import (
	"errors"
	"strings"
)

// Windows path rules, in plain Go without build tags so that they are
// tested, and fuzzed, on every platform (winpath_test.go). On Windows the
// resolver applies them on top of the portable ones (resolve.go).

// windowsReservedNames are the DOS device names: "CON", "con.txt" or
// "CON .x" in any directory open the device, not a file.
var windowsReservedNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true,
	"COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"COM¹": true, "COM²": true, "COM³": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true,
	"LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	"LPT¹": true, "LPT²": true, "LPT³": true,
}

// windowsSegmentOK reports whether one decoded URL path segment names the
// same file to Windows as it does to us, inside its directory. Refused:
//   - a drive or stream (anything with ':': "C:", "x.exe:evil", "::$DATA");
//   - either separator, and what Windows forbids in names (<>"|?* and
//     control characters);
//   - a trailing dot or space, which Windows drops ("run.exe." opens
//     "run.exe", "x.txt " opens "x.txt");
//   - a device name, with or without an extension ("CON", "nul.exe");
//   - an 8.3 short name ("PROGRA~1", "RUNME~1.BAT"): another spelling of
//     a file, which would dodge a check made on the long name.
//
// Case is not a concern here: the directory and the file found are
// compared case-insensitively on Windows (filepath.Rel does).
func windowsSegmentOK(segment string) bool {
	if segment == "" || strings.ContainsAny(segment, `:\/<>"|?*`) {
		return false
	}
	for _, r := range segment {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	if last := segment[len(segment)-1]; last == '.' || last == ' ' {
		return false
	}
	if windowsReservedNames[windowsDeviceStem(segment)] {
		return false
	}
	return !looksLikeShortName(segment)
}

// windowsDeviceStem is the part of a name that Windows compares with the
// device names: before the first dot, without trailing spaces, in capitals.
func windowsDeviceStem(name string) string {
	stem, _, _ := strings.Cut(name, ".")
	return strings.ToUpper(strings.TrimRight(stem, " "))
}

// looksLikeShortName: a tilde followed by a digit, the mark of the 8.3
// names Windows makes up for long ones.
func looksLikeShortName(name string) bool {
	for i := 0; i+1 < len(name); i++ {
		if name[i] == '~' && name[i+1] >= '0' && name[i+1] <= '9' {
			return true
		}
	}
	return false
}

// errNeedsWindowsExtension explains a 403 for a file Windows cannot run.
var errNeedsWindowsExtension = errors.New("on Windows only .exe, .bat and .cmd files run " +
	"(a script needs a .bat or .cmd wrapper that calls its interpreter)")

// cgiBatchSpecial are the characters that make "cmd.exe /c PATH" mean
// something else than running PATH when the path is quoted the C way
// (in double quotes only if it holds a space): cmd.exe keeps such quotes
// only when none of these is between them, and acts on them unquoted.
const cgiBatchSpecial = `&|<>^()@%!"`

func cgiBatchPathOK(path string) bool { return !strings.ContainsAny(path, cgiBatchSpecial) }
