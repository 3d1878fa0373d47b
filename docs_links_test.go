package main

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// linkedPages are the Markdown pages whose links are checked.
func linkedPages(t *testing.T) []string {
	t.Helper()
	return append([]string{"README.md", "BENCHMARKS.md", "examples/README.md"}, docPages(t)...)
}

var (
	markdownLink = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	codeFence    = regexp.MustCompile("(?ms)^ *```.*?^ *```")
	codeSpan     = regexp.MustCompile("`[^`\n]*`")
)

// Every link between the pages leads to a file that exists and, with a
// #fragment, to a heading of that page.
func TestDocsLinksResolve(t *testing.T) {
	for _, page := range linkedPages(t) {
		source := codeSpan.ReplaceAllString(codeFence.ReplaceAllString(readDoc(t, page), ""), "")
		for _, m := range markdownLink.FindAllStringSubmatch(source, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, fragment, _ := strings.Cut(target, "#")
			if file == "" {
				file = page
			} else {
				file = path.Join(path.Dir(page), file)
			}
			if _, err := os.Stat(file); err != nil {
				t.Errorf("%s: the link %s leads nowhere: %v", page, target, err)
				continue
			}
			if fragment != "" && !headingAnchors(readDoc(t, file))[fragment] {
				t.Errorf("%s: the link %s names no heading of %s", page, target, file)
			}
		}
	}
}

// headingAnchors are the fragments that lead to a page's headings, as
// GitHub makes them: lower case, punctuation dropped, spaces turned into
// dashes, a repeated one numbered.
func headingAnchors(page string) map[string]bool {
	anchors := map[string]bool{}
	for _, title := range headings(page) {
		anchor := strings.Map(func(r rune) rune {
			switch {
			case r == ' ':
				return '-'
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				return unicode.ToLower(r)
			}
			return -1
		}, title)
		unique := anchor
		for n := 1; anchors[unique]; n++ {
			unique = anchor + "-" + strconv.Itoa(n)
		}
		anchors[unique] = true
	}
	return anchors
}

// headings are the titles of a page's ATX headings, outside code blocks.
func headings(page string) []string {
	var titles []string
	for _, line := range strings.Split(codeFence.ReplaceAllString(page, ""), "\n") {
		if trimmed := strings.TrimLeft(line, "#"); len(trimmed) < len(line) && strings.HasPrefix(trimmed, " ") {
			titles = append(titles, strings.TrimSpace(trimmed))
		}
	}
	return titles
}

// oldReadmeHeadings are the headings of the README before the reference
// moved to docs/ (main at 5bed564): each must still be a heading of the
// README or of a page in docs/, so that nothing was lost in the move.
var oldReadmeHeadings = []string{
	"websocketd", "Set-up (two commands on a fresh machine)", "Getting Go", "Download a release",
	"Installing", "Quick start (30 seconds)", "What happens on a connection",
	"My output arrives late or all at once",
	"Output that arrives late: `--pty`; a terminal in the browser: `--terminal`",
	"Flags", "Examples of each", "Rooms", "Rooms across servers", "Configuration file",
	"Server-Sent Events", "URLs and the process environment", "Origins", "Hosts (DNS rebinding)",
	"Subprotocols", "Framed mode", "Compression", "Logging", "Running in production",
	"systemd: socket activation and readiness", "TLS", "Unix sockets", "Behind nginx",
	"Authentication", "Metrics, health, timeouts, run once", "Graceful shutdown",
	"Process containment", "Security", "Exposing `--terminal`",
	"Running on macOS, the BSDs and Windows", "Benchmarks", "Design notes", "Licence",
}

// docPages are the pages of docs/, as the links name them (with "/",
// also on Windows).
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, page := range pages {
		pages[i] = filepath.ToSlash(page)
	}
	return pages
}

func TestOldReadmeHeadingsAreReachable(t *testing.T) {
	pages := docPages(t)
	found := map[string]string{}
	for _, page := range append([]string{"README.md"}, pages...) {
		for _, title := range headings(readDoc(t, page)) {
			found[title] = page
		}
	}
	for _, title := range oldReadmeHeadings {
		if found[title] == "" {
			t.Errorf("the old README's section %q is a heading neither of README.md nor of docs/", title)
		}
	}
	readme := readDoc(t, "README.md")
	for _, page := range pages {
		if !strings.Contains(readme, "("+page+")") {
			t.Errorf("the README does not link %s", page)
		}
	}
}

// A newcomer reads the README in two minutes: at most 250 lines, and the
// quick start, command and all, within the first 40.
func TestReadmeIsShort(t *testing.T) {
	lines := strings.Split(readDoc(t, "README.md"), "\n")
	if len(lines) > 250 {
		t.Errorf("the README has %d lines; the reference belongs in docs/", len(lines))
	}
	for i, line := range lines {
		if strings.HasPrefix(line, "websocketd --port=") {
			if i >= 40 {
				t.Errorf("the quick start's command is on line %d of the README, not within the first 40", i+1)
			}
			return
		}
	}
	t.Error("the README has no quick start command")
}
