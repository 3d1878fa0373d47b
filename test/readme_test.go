//go:build !windows

package test

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// markdownRow is a table row as markdown-tables.js reports it.
type markdownRow struct {
	Line   int  // 0-based line of the row in the file
	Header bool // the table's first row
	Cells  []struct {
		Markdown string // the cell's source, escapes resolved
		HTML     string // what it renders to
	}
}

// renderTables renders a Markdown file's tables with markdown-it, the
// renderer many sites use for GitHub-flavoured Markdown, which .ci/run
// installs into test/node_modules from test/package.json.
func renderTables(t *testing.T, file string) []markdownRow {
	t.Helper()
	needTool(t, "node")
	if _, err := os.Stat("node_modules/markdown-it"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs markdown-it in test/node_modules: %v", err)
		}
		t.Skip("markdown-it is not installed (npm install --prefix test)")
	}
	out, err := exec.Command("node", "markdown-tables.js", file).Output()
	if err != nil {
		t.Fatalf("rendering %s: %v", file, err)
	}
	var rows []markdownRow
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("reading the rendered rows: %v", err)
	}
	return rows
}

// The tables of every Markdown file render as written: every row has its
// table's number of cells, no cell's text is lost to a "|" that split it
// (GitHub cuts a row's extra cells off), and no code span is left open.
func TestMarkdownTablesRender(t *testing.T) {
	for _, file := range markdownFiles(t) {
		t.Run(strings.TrimPrefix(file, "../"), func(t *testing.T) {
			rows := checkTables(t, file)
			if file == "../docs/flags.md" && rows < 40 {
				t.Errorf("only %d table rows rendered; the flag tables have more", rows)
			}
		})
	}
}

// markdownFiles lists the repository's Markdown files, not those of
// installed or vendored packages.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && notOurs(d.Name()) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// notOurs tells the folders whose Markdown others wrote: installed and
// vendored packages, and hidden ones such as .git.
func notOurs(dir string) bool {
	return dir == "node_modules" || dir == "third_party" || strings.HasPrefix(dir, ".")
}

// checkTables checks one file's tables and returns how many rows it has.
func checkTables(t *testing.T, file string) int {
	source, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(source), "\n")
	rows := renderTables(t, file)
	columns := 0
	for _, row := range rows {
		if row.Header {
			columns = len(row.Cells)
		}
		written := lines[row.Line]
		if len(row.Cells) != columns {
			t.Errorf("%s:%d has %d cells, its table %d: %s", file, row.Line+1, len(row.Cells), columns, written)
		}
		var rendered strings.Builder
		for _, cell := range row.Cells {
			rendered.WriteString(cell.Markdown)
			if strings.Contains(cell.HTML, "`") {
				t.Errorf("%s:%d: a code span is left open in %q", file, row.Line+1, cell.HTML)
			}
		}
		if cellText(written) != cellText(rendered.String()) {
			t.Errorf("%s:%d: the rendered cells %q lost part of the row: %s", file, row.Line+1, rendered.String(), written)
		}
	}
	return len(rows)
}

// cellText is a row's text without the cell borders and spaces, the part
// that must survive rendering.
func cellText(row string) string {
	row = strings.ReplaceAll(row, `\|`, "|")
	return strings.Map(func(r rune) rune {
		if r == '|' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, row)
}
