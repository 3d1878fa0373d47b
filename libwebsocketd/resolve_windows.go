package libwebsocketd

import (
	"fmt"
	"os"

	"github.com/websocketd/websocketd/internal/child"
)

// platformSegmentOK applies Windows's own path rules (winpath.go).
func platformSegmentOK(segment string) bool { return windowsSegmentOK(segment) }

// checkRunnable: Windows runs a file by its extension, not a permission.
func checkRunnable(path string, _ os.FileInfo) error {
	if child.WindowsKindOf(path) == child.NotRunnableOnWindows {
		return errNeedsWindowsExtension
	}
	return nil
}

// cgiCommand is how the CGI host runs a script: a .bat or .cmd through
// cmd.exe. The CGI host quotes the path for a C program, not for cmd.exe,
// so a path cmd.exe would read differently is refused (cgiBatchPathOK).
func cgiCommand(path string) (string, []string, error) {
	if child.WindowsKindOf(path) != child.WindowsBatch {
		return path, nil, nil
	}
	if !cgiBatchPathOK(path) {
		return "", nil, fmt.Errorf("%s: a CGI batch file's path must not hold any of %s", path, cgiBatchSpecial)
	}
	return child.CommandInterpreter(), []string{"/d", "/v:off", "/c", path}, nil
}
