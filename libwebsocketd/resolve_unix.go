//go:build unix

package libwebsocketd

import (
	"errors"
	"os"
)

// platformSegmentOK: Unix names have no rules beyond the portable ones.
func platformSegmentOK(string) bool { return true }

// checkRunnable: on Unix a script runs if it has an execute bit.
func checkRunnable(_ string, info os.FileInfo) error {
	if info.Mode().Perm()&0o111 == 0 {
		return errors.New("no execute permission (chmod +x it)")
	}
	return nil
}

// cgiCommand is how the CGI host runs a script: directly.
func cgiCommand(path string) (string, []string, error) { return path, nil, nil }
