package main

import (
	"reflect"
	"testing"
)

// The classic websocketd's defaults per OS, and on Windows what programs
// need to start at all.
func TestDefaultPassEnvPerOS(t *testing.T) {
	cases := map[string][]string{
		"linux":   {"PATH", "LD_LIBRARY_PATH"},
		"freebsd": {"PATH", "LD_LIBRARY_PATH"},
		"openbsd": {"PATH", "LD_LIBRARY_PATH"},
		"darwin":  {"PATH", "DYLD_LIBRARY_PATH"},
		"windows": {"PATH", "SystemRoot", "COMSPEC", "PATHEXT", "WINDIR", "TEMP", "TMP"},
	}
	for goos, want := range cases {
		if got := defaultPassEnv(goos); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q, want %q", goos, got, want)
		}
	}
}
