package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestSingleDashLongFlags(t *testing.T) {
	cases := []struct{ args, want []string }{
		{[]string{"-port=8080", "./x.sh"}, []string{"--port=8080", "./x.sh"}},
		{[]string{"-port", "8080", "-binary", "./x.sh"}, []string{"--port", "8080", "--binary", "./x.sh"}},
		{[]string{"-passenv=A,B", "-loglevel", "debug", "-devconsole", "x"},
			[]string{"--passenv=A,B", "--loglevel", "debug", "--devconsole", "x"}},
		// A value that starts with a dash is a value, not a flag.
		{[]string{"-header", "-x: y", "cat"}, []string{"--header", "-x: y", "cat"}},
		// GNU forms, the -h shorthand and the lone "-" are left alone.
		{[]string{"--port=1", "--dir", "d", "-h"}, []string{"--port=1", "--dir", "d", "-h"}},
		{[]string{"-port=1", "-", "-port=2"}, []string{"--port=1", "-", "-port=2"}},
		// COMMAND and everything after it, also after "--", are untouched.
		{[]string{"-port=1", "./x.sh", "-port=2", "-binary"}, []string{"--port=1", "./x.sh", "-port=2", "-binary"}},
		{[]string{"-binary", "--", "-port=2"}, []string{"--binary", "--", "-port=2"}},
		{[]string{"-bogus", "cat"}, []string{"--bogus", "cat"}},
	}
	for _, tc := range cases {
		var v flagValues
		if got := acceptSingleDash(newFlagSet(&v), tc.args); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q rewritten to %q, want %q", tc.args, got, tc.want)
		}
	}
	cfg := mustParse(t, "-port", "8080", "-address=127.0.0.1", "-binary", "-passenv=A,B", "./x.sh", "-port=9")
	if cfg.Server.Port != 8080 || !cfg.Handler.Binary || !reflect.DeepEqual(cfg.Server.Addresses, []string{"127.0.0.1"}) ||
		!reflect.DeepEqual(cfg.Handler.PassEnv, []string{"A", "B"}) ||
		!reflect.DeepEqual(cfg.Handler.Command, []string{"./x.sh", "-port=9"}) {
		t.Errorf("single-dash command line parsed into %+v", cfg)
	}
	if _, err := parseConfig([]string{"-bogus", "cat"}, nil); err == nil || !strings.Contains(err.Error(), "unknown flag: --bogus") {
		t.Errorf("-bogus: %v, want an unknown flag error naming --bogus", err)
	}
}

func TestMisplacedFlagsAreNoted(t *testing.T) {
	cfg := mustParse(t, "--port=1", "./x.sh", "--port=9000", "-binary", "-h", "--verbose", "-", "--dir", "d")
	want := []string{"--port=9000", "-binary", "--dir"}
	if !reflect.DeepEqual(cfg.MisplacedFlags, want) {
		t.Errorf("misplaced flags %q, want %q", cfg.MisplacedFlags, want)
	}
	if got := mustParse(t, "./x.sh", "--verbose", "9000").MisplacedFlags; got != nil {
		t.Errorf("misplaced flags %q, want none", got)
	}
	// COMMAND itself may look like a flag after "--"; it is not noted.
	if got := mustParse(t, "--", "--port", "x").MisplacedFlags; got != nil {
		t.Errorf("misplaced flags %q, want none", got)
	}
}
