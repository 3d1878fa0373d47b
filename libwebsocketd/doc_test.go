package libwebsocketd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The map in doc.go names every file of the package (a name or a glob),
// so a reader looking for a concern finds it, and a new file cannot be
// left out of the map unnoticed.
func TestDocMapNamesEveryFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "//\t") {
			continue
		}
		names, _, _ := strings.Cut(strings.TrimPrefix(line, "//\t"), "  ")
		for _, name := range strings.Split(names, ",") {
			patterns = append(patterns, strings.TrimSpace(name))
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") || file == "doc.go" {
			continue
		}
		if !matchesAny(patterns, file) {
			t.Errorf("doc.go's map does not name %s", file)
		}
	}
	for _, pattern := range patterns {
		if strings.HasPrefix(pattern, "../") {
			if _, err := os.Stat(pattern); err != nil {
				t.Errorf("doc.go's map names %s: %v", pattern, err)
			}
		} else if !matchesAny([]string{pattern}, files...) {
			t.Errorf("doc.go's map names %s, which matches no file", pattern)
		}
	}
}

func matchesAny(patterns []string, files ...string) bool {
	for _, pattern := range patterns {
		for _, file := range files {
			if ok, _ := filepath.Match(pattern, file); ok {
				return true
			}
		}
	}
	return false
}
