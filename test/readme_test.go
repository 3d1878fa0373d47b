package test

import (
	"encoding/json"
	"os"
	"os/exec"
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

// The README's tables render as written: every row has its table's number
// of cells, no cell's text is lost to a "|" that split it (GitHub cuts a
// row's extra cells off), and no code span is left open.
func TestReadmeTablesRender(t *testing.T) {
	source, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(source), "\n")
	rows := renderTables(t, "../README.md")
	if len(rows) < 40 {
		t.Fatalf("only %d table rows rendered; the flag and variable tables have more", len(rows))
	}
	columns := 0
	for _, row := range rows {
		if row.Header {
			columns = len(row.Cells)
		}
		written := lines[row.Line]
		if len(row.Cells) != columns {
			t.Errorf("README.md:%d has %d cells, its table %d: %s", row.Line+1, len(row.Cells), columns, written)
		}
		var rendered strings.Builder
		for _, cell := range row.Cells {
			rendered.WriteString(cell.Markdown)
			if strings.Contains(cell.HTML, "`") {
				t.Errorf("README.md:%d: a code span is left open in %q", row.Line+1, cell.HTML)
			}
		}
		if cellText(written) != cellText(rendered.String()) {
			t.Errorf("README.md:%d: the rendered cells %q lost part of the row: %s", row.Line+1, rendered.String(), written)
		}
	}
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
