package libwebsocketd

import "os"

// platformSegmentOK applies Windows's own path rules (winpath.go).
func platformSegmentOK(segment string) bool { return windowsSegmentOK(segment) }

// checkRunnable: Windows runs a file by its extension, not a permission.
func checkRunnable(path string, _ os.FileInfo) error {
	if windowsKindOf(path) == notRunnableOnWindows {
		return errNeedsWindowsExtension
	}
	return nil
}

// cgiCommand is how the CGI host runs a script: a .bat or .cmd through
// cmd.exe, whose command line the CGI host cannot quote for it, so the
// script's path must need no quoting beyond what batchCommandLine checks.
func cgiCommand(path string) (string, []string, error) {
	if windowsKindOf(path) != windowsBatch {
		return path, nil, nil
	}
	if _, err := batchCommandLine("cmd.exe", []string{path}); err != nil {
		return "", nil, err
	}
	return commandInterpreter(), []string{"/d", "/v:off", "/c", path}, nil
}
