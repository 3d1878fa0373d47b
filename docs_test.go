package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// docs/flags.md is what flagsMarkdown writes from the flag declarations:
// a flag added, renamed or reworded without `make docs` fails here.
func TestFlagsPageIsWritten(t *testing.T) {
	page, err := os.ReadFile(flagsPagePath)
	if err != nil {
		t.Fatal(err)
	}
	var v flagValues
	if string(page) != flagsMarkdown(newFlagSet(&v)) {
		t.Errorf("%s differs from the flag declarations: run `make docs`", flagsPagePath)
	}
}

// The flags page lists every flag, in the groups of --help.
func TestFlagsPageListsEveryFlag(t *testing.T) {
	var v flagValues
	fs := newFlagSet(&v)
	page := flagsMarkdown(fs)
	for _, g := range documentFlags(fs) {
		_, section, found := strings.Cut(page, "\n## "+g.Title+"\n")
		section, _, _ = strings.Cut(section, "\n## ")
		for _, f := range g.Flags {
			if !found || !strings.Contains(section, "| `"+f.synopsis()+"` |") {
				t.Errorf("the flags page lacks --%s under %q", f.Name, g.Title)
			}
		}
	}
	if !strings.Contains(page, "(Windows)") {
		t.Error("the flags page does not give --passenv's default on Windows")
	}
}

// The README and the install page tell newcomers which Go to get: the go
// line of go.mod.
func TestReadmeNamesTheGoLineOfGoMod(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	readme := readDoc(t, "README.md")
	install := readDoc(t, "docs/install.md")
	for _, want := range []string{"`go " + string(goLine[1]) + string(goLine[2]) + "`", "Go " + string(goLine[1]) + " or newer"} {
		if !strings.Contains(install, want) {
			t.Errorf("docs/install.md does not say %q", want)
		}
	}
	if want := "Go " + string(goLine[1]) + " or newer"; !strings.Contains(readme, want) {
		t.Errorf("the README does not say %q", want)
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

func TestDocsDocumentExitStatuses(t *testing.T) {
	flat := strings.Join(strings.Fields(readDoc(t, "docs/command-line.md")), " ")
	for _, want := range []string{"1 bad configuration", "2 unknown flag", "3 cannot bind", "4 a listener failed while serving"} {
		if !strings.Contains(flat, want) {
			t.Errorf("docs/command-line.md does not document exit status %q", want)
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
		if !strings.Contains(page, "**--"+markdownText(f.Name)+"**") {
			t.Errorf("the man page does not define --%s", f.Name)
		}
	})
	for _, want := range []string{`HTTP\_\<HEADER\>`, `"websocketd ` + version + `"`, "# EXIT STATUS"} {
		if !strings.Contains(page, want) {
			t.Errorf("the man page's Markdown lacks %q", want)
		}
	}
}

// The Configuration file section of docs/routes.md names every key that
// is not a plain route key: the route-only and the server-wide ones, as
// declared.
func TestDocsConfigSectionNamesTheKeys(t *testing.T) {
	_, section, _ := strings.Cut(readDoc(t, "docs/routes.md"), "\n## Configuration file\n")
	section, _, _ = strings.Cut(section, "\n## ")
	for key := range routeOnlyKeys {
		if !strings.Contains(section, "`"+key+"`") {
			t.Errorf("docs/routes.md's Configuration file section does not name the route key %s", key)
		}
	}
	for _, key := range serverWideKeys {
		if !strings.Contains(section, "`"+key+"`") && !(strings.HasPrefix(key, "cluster") && strings.Contains(section, "`cluster*`")) {
			t.Errorf("docs/routes.md's Configuration file section does not name the server-wide key %s", key)
		}
	}
}

// readDoc returns a page of the documentation.
func readDoc(t *testing.T, path string) string {
	t.Helper()
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(page)
}
