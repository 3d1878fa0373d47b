package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestHelpNamesValuesReadably(t *testing.T) {
	help := helpText()
	for _, noise := range []string{"stringArray", "strings", "[=true|false]", " int ", " string "} {
		if strings.Contains(help, noise) {
			t.Errorf("--help contains %q", noise)
		}
	}
	for _, want := range []string{"\nListening:\n", "  --port=N ", "  --passenv=NAMES ", "  --binary ",
		"  -h, --help ", "(default " + strings.Join(defaultPassEnv(runtime.GOOS), ",") + ")", "4 when a listener fails"} {
		if !strings.Contains(strings.Join(strings.Fields(help), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("--help lacks %q", want)
		}
	}
	for _, line := range strings.Split(help, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("--help line wider than 80 columns: %q", line)
		}
	}
}

// A flag no group names is still documented, under "Other options"; every
// name the groups list is a declared flag.
func TestFlagGroupsCoverEveryFlag(t *testing.T) {
	var v flagValues
	fs := newFlagSet(&v)
	fs.String("newflag", "", "a flag added without a group")
	groups := documentFlags(fs)
	last := groups[len(groups)-1]
	if last.Title != otherGroup || len(last.Flags) != 1 || last.Flags[0].Name != "newflag" {
		t.Errorf("ungrouped flag: last group %+v", last)
	}
	for _, g := range flagGroups {
		for _, name := range g.names {
			if fs.Lookup(name) == nil {
				t.Errorf("group %q names --%s, which is not declared", g.title, name)
			}
		}
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	help := helpText()
	var v flagValues
	newFlagSet(&v).VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(help, "--"+f.Name) {
			t.Errorf("--help does not mention --%s", f.Name)
		}
	})
}
