package main

import (
	"strings"
	"testing"
	"time"
)

func TestResumeFlags(t *testing.T) {
	if h := mustParse(t, "cat").Handler; h.ResumeTimeout != 0 || h.ResumeBuffer != 1<<20 {
		t.Fatalf("resume defaults: %v, %d bytes", h.ResumeTimeout, h.ResumeBuffer)
	}
	h := mustParse(t, "--binary", "--resumems=30000", "--resumebuffer=4096", "sh").Handler
	if h.ResumeTimeout != 30*time.Second || h.ResumeBuffer != 4096 {
		t.Fatalf("resume flags: %v, %d bytes", h.ResumeTimeout, h.ResumeBuffer)
	}
	for args, want := range map[string]string{
		"--resumems=-1 cat":                 "cannot be negative",
		"--resumebuffer=0 cat":              "at least 1 byte",
		"--resumems=1000 --room cat":        "cannot be combined with --room",
		"--resumems=1000 --connect=unix:/x": "cannot be combined with --room, --connect",
		"--resumems=1000 --once cat":        "--once",
		"--resumems=1000 --passstderr cat":  "--passstderr",
		"--resumems=abc cat":                "invalid argument",
	} {
		_, err := parseConfig(strings.Fields(args), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", args, err, want)
		}
	}
}
