package main

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseConfig: no command line makes parsing panic, and a Config that
// parseConfig returns passes its own consistency check. The fuzzed string
// is the command line with its arguments separated by NUL bytes, as
// /proc/PID/cmdline holds them; env is one environment entry.
func FuzzParseConfig(f *testing.F) {
	f.Add("-port=8080\x00-binary\x00./x.sh\x00--port=9000", "")
	f.Add("-port\x008080\x00--\x00-dir\x00x", "")
	f.Fuzz(func(t *testing.T, cmdline, env string) {
		args := strings.Split(cmdline, "\x00")
		environ := []string{"PATH=/bin", env}
		cfg, err := parseConfig(args, environ)
		if err != nil {
			return
		}
		if cfg.Show != "" {
			return // --help, --version or --license: nothing else is read
		}
		if err := cfg.check(); err != nil {
			t.Fatalf("%q parsed into a Config that fails its check: %v", args, err)
		}
		again, err := parseConfig(args, environ)
		if err != nil || !reflect.DeepEqual(again, cfg) {
			t.Fatalf("%q parsed twice gave different results: %v", args, err)
		}
	})
}
