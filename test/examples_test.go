//go:build !windows

package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// exampleLanguage is one folder of examples/ and the program it needs.
type exampleLanguage struct {
	dir   string // folder under examples/, also the URL's first segment
	ext   string // the scripts' extension; none for compiled programs
	needs string // interpreter, or the compiler that `make examples` uses
}

// exampleLanguages are the ten languages of examples/, in the order of the
// index page.
var exampleLanguages = []exampleLanguage{
	{"bash", ".sh", "bash"},
	{"python", ".py", "python3"},
	{"perl", ".pl", "perl"},
	{"node", ".js", "node"},
	{"ruby", ".rb", "ruby"},
	{"php", ".php", "php"},
	{"lua", ".lua", "lua"},
	{"awk", ".awk", "gawk"},
	{"c", "", "cc"},
	{"go", "", "go"},
}

// exampleNames are the four programs every language has.
var exampleNames = []string{"count", "greeter", "echo", "dump-env"}

const (
	examplesDir = "../examples"
	indexPage   = examplesDir + "/html/index.html"
)

// needTool skips the test when a program it needs is not installed, and
// fails it in CI, which installs every one of them (.ci/run).
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs %s: %v", name, err)
		}
		t.Skipf("%s is not installed", name)
	}
}

// indexEntries returns the URL paths that the example page offers.
func indexEntries(t *testing.T) []string {
	t.Helper()
	page, err := os.ReadFile(indexPage)
	if err != nil {
		t.Fatal(err)
	}
	option := regexp.MustCompile(`<option(?: value="([^"]*)")?>([^<]*)</option>`)
	var paths []string
	for _, m := range option.FindAllStringSubmatch(string(page), -1) {
		if m[1] != "" {
			paths = append(paths, m[1])
		} else {
			paths = append(paths, m[2])
		}
	}
	return paths
}

// languageOf returns the language whose folder a URL path names.
func languageOf(t *testing.T, urlPath string) exampleLanguage {
	t.Helper()
	dir, _, _ := strings.Cut(strings.TrimPrefix(urlPath, "/"), "/")
	for _, lang := range exampleLanguages {
		if lang.dir == dir {
			return lang
		}
	}
	t.Fatalf("%s is in no example language's folder", urlPath)
	return exampleLanguage{}
}

// The index page lists the four examples of each of the ten languages,
// each of which is in examples/ (as source for the compiled ones), and
// every example in examples/ is on the page.
func TestExampleIndexListsEveryExample(t *testing.T) {
	var want []string
	for _, lang := range exampleLanguages {
		for _, name := range exampleNames {
			want = append(want, "/"+lang.dir+"/"+name+lang.ext)
			checkExampleSource(t, lang, name)
		}
		listed := exampleSources(t, lang)
		if !slices.Equal(listed, sortedNames(exampleNames)) {
			t.Errorf("examples/%s holds the examples %v, want exactly %v", lang.dir, listed, exampleNames)
		}
	}
	if got := indexEntries(t); !slices.Equal(got, want) {
		t.Errorf("the index page offers\n%v\nwant\n%v", got, want)
	}
}

// checkExampleSource checks that an example is there, and that a script
// can be run as it is.
func checkExampleSource(t *testing.T, lang exampleLanguage, name string) {
	t.Helper()
	file := filepath.Join(examplesDir, lang.dir, name+lang.ext)
	switch lang.dir {
	case "c":
		file += ".c"
	case "go":
		file += ".go"
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Errorf("example missing: %v", err)
		return
	}
	if lang.ext != "" && info.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable", file)
	}
}

// exampleSources lists the examples in a language's folder by name.
func exampleSources(t *testing.T, lang exampleLanguage) []string {
	t.Helper()
	ext := lang.ext
	switch lang.dir {
	case "c":
		ext = ".c"
	case "go":
		ext = ".go"
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, lang.dir, "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ext))
	}
	return sortedNames(names)
}

func sortedNames(names []string) []string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	return sorted
}

// The compiled examples are clean: `go vet` passes on the Go ones (the
// "ignore" tag keeps them out of `go vet ./...`), and the C ones compile
// without a warning.
func TestCompiledExamplesBuildClean(t *testing.T) {
	for _, name := range exampleNames {
		source := filepath.Join(examplesDir, "go", name+".go")
		if out, err := exec.Command("go", "vet", source).CombinedOutput(); err != nil {
			t.Errorf("go vet %s: %v\n%s", source, err, out)
		}
	}
	needTool(t, "cc")
	for _, name := range exampleNames {
		source := filepath.Join(examplesDir, "c", name+".c")
		cc := exec.Command("cc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only", source)
		if out, err := cc.CombinedOutput(); err != nil {
			t.Errorf("cc %s: %v\n%s", source, err, out)
		}
	}
}
