package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// The README's flag table names every flag, in the groups of --help.
func TestReadmeFlagTableMatchesHelp(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## Flags\n")
	section, _, _ = strings.Cut(section, "\n## ")
	groupOf := map[string]string{}
	group := ""
	for _, line := range strings.Split(section, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "|"), "|")
		if !strings.HasPrefix(line, "|") {
			continue
		}
		if title, ok := strings.CutPrefix(strings.TrimSpace(first), "**"); ok {
			group = strings.TrimSuffix(title, "**")
			continue
		}
		for _, m := range regexp.MustCompile("`--([a-z0-9-]+)").FindAllStringSubmatch(first, -1) {
			groupOf[m[1]] = group
		}
	}
	var v flagValues
	for _, g := range documentFlags(newFlagSet(&v)) {
		for _, f := range g.Flags {
			readmeGroup, listed := groupOf[f.Name]
			switch {
			case !listed:
				t.Errorf("the README's flag table lacks --%s", f.Name)
			case g.Title != otherGroup && readmeGroup != g.Title:
				t.Errorf("--%s is under %q in the README, under %q in --help", f.Name, readmeGroup, g.Title)
			}
		}
	}
}

// The README tells newcomers which Go to get: the go line of go.mod.
func TestReadmeNamesTheGoLineOfGoMod(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"`go " + string(goLine[1]) + string(goLine[2]) + "`", "Go " + string(goLine[1]) + " or newer"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("the README does not say %q", want)
		}
	}
}

// CHANGES begins with the version the program reports.
func TestChangesNamesThisVersion(t *testing.T) {
	changes, err := os.ReadFile("CHANGES")
	if err != nil {
		t.Fatal(err)
	}
	first := regexp.MustCompile(`(?m)^(\d+\.\d+\.\d+)( .*)?\n---`).FindSubmatch(changes)
	if first == nil || string(first[1]) != version {
		t.Errorf("the newest entry of CHANGES is %q, want %s", first, version)
	}
}

func TestReadmeDocumentsExitStatuses(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(readme)), " ")
	for _, want := range []string{"1 bad configuration", "2 unknown flag", "3 cannot bind", "4 a listener failed while serving"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the README does not document exit status %q", want)
		}
	}
}

func TestVersionWithGitDescription(t *testing.T) {
	cases := []struct{ described, stamped, want string }{
		{"", "", "0.6.0"},
		{"v0.6.0", "", "0.6.0"}, // built from the release tag
		{"v0.6.0-3-g52ba9bd-dirty", "", "0.6.0+v0.6.0-3-g52ba9bd-dirty"},
		{"", "52ba9bd0e1f2-dirty", "0.6.0+52ba9bd0e1f2-dirty"}, // go build in a checkout
		{"weird/branch_name", "", "0.6.0+weird-branch-name"},
	}
	for _, tc := range cases {
		if got := versionWith(tc.described, tc.stamped); got != tc.want {
			t.Errorf("versionWith(%q, %q) = %q, want %q", tc.described, tc.stamped, got, tc.want)
		}
	}
}

// The man page's Markdown defines every flag, escapes what Markdown would
// eat, and carries the version.
func TestManMarkdownDefinesEveryFlag(t *testing.T) {
	var v flagValues
	fs := newFlagSet(&v)
	page := manMarkdown(fs)
	fs.VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(page, "**--"+manText(f.Name)+"**") {
			t.Errorf("the man page does not define --%s", f.Name)
		}
	})
	for _, want := range []string{`HTTP\_\<HEADER\>`, `"websocketd ` + version + `"`, "# EXIT STATUS"} {
		if !strings.Contains(page, want) {
			t.Errorf("the man page's Markdown lacks %q", want)
		}
	}
}

// The README's Configuration file section names every key that is not a
// plain route key: the route-only and the server-wide ones, as declared.
func TestReadmeConfigSectionNamesTheKeys(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## Configuration file\n")
	section, _, _ = strings.Cut(section, "\n## ")
	for key := range routeOnlyKeys {
		if !strings.Contains(section, "`"+key+"`") {
			t.Errorf("the README's Configuration file section does not name the route key %s", key)
		}
	}
	for _, key := range serverWideKeys {
		if !strings.Contains(section, "`"+key+"`") && !(strings.HasPrefix(key, "cluster") && strings.Contains(section, "`cluster*`")) {
			t.Errorf("the README's Configuration file section does not name the server-wide key %s", key)
		}
	}
}
