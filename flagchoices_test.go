package main

import (
	"strings"
	"testing"
)

// The completions offer the values a flag's help names, no others.
func TestFlagChoicesMatchTheHelp(t *testing.T) {
	var v flagValues
	fs := newFlagSet(&v)
	for name, choices := range flagChoices {
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("flagChoices names --%s, which is not declared", name)
			continue
		}
		for _, choice := range choices {
			if !strings.Contains(f.Usage, choice) {
				t.Errorf("--%s offers %q, which its help does not mention", name, choice)
			}
		}
	}
}
