//go:build !windows

package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The pages whose code blocks are checked: the README and the reference.
// Each fenced block carries, on the line before its fence, a comment that
// says how it is run (docMark), so that no example can drift from the
// program unnoticed:
//
//	<!-- run: server -->              a shell script whose last command serves;
//	                                  --port=8080 becomes a free port
//	<!-- run: client node; prints: 1 2 -->
//	<!-- run: client sh; prints: id: 1 -->
//	                                  run against the server block before it,
//	                                  its port in place of 8080; must print that
//	<!-- run: sh -->                  a shell script that must exit 0
//	<!-- run: check; given: a.sh /etc/x -->
//	                                  each websocketd command line, with --check
//	<!-- run: toml site.toml; given: public/ -->
//	                                  written as site.toml, loaded with --check
//	<!-- tested: TestName [label] -->  run by that test (it finds the block by
//	                                  this line)
//	<!-- not run: why -->             an illustration, sample output, or a
//	                                  command that needs root or the network
//
// Blocks of a page run in order in one temporary directory, with the
// websocketd under test first on PATH; "given" files and directories
// (name/) are created there first, empty, an absolute path below it.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../README.md"}, pages...)
}

// docBlock is one fenced code block of a page.
type docBlock struct {
	page string // path from test/
	line int    // 1-based line of the opening fence
	code string // the block's lines, its fence's indentation removed
	mark docMark
}

// docMark is what the comment before a block says.
type docMark struct {
	how    string   // server, client node, client sh, sh, check, toml, tested, not run
	arg    string   // toml: the file name; tested: the test; not run: the reason
	given  []string // files (dirs end in /) to create before the block runs
	prints string   // what a client must print, compared word by word
	bad    string   // why the comment is not a valid mark; "" if it is
}

var (
	fenceLine = regexp.MustCompile("^( *)```")
	markLine  = regexp.MustCompile(`^ *<!-- (run|tested|not run): *(.*?) *-->$`)
)

// readDocBlocks returns a page's fenced code blocks with their marks.
func readDocBlocks(t *testing.T, page string) []docBlock {
	t.Helper()
	source, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(source), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		fence := fenceLine.FindStringSubmatch(lines[i])
		if fence == nil {
			continue
		}
		block := docBlock{page: page, line: i + 1, mark: docMark{bad: "no <!-- run: … -->, <!-- tested: … --> or <!-- not run: … --> on the line before"}}
		if i > 0 {
			block.mark = parseDocMark(lines[i-1])
		}
		var code []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			code = append(code, strings.TrimPrefix(lines[i], fence[1]))
		}
		block.code = strings.Join(code, "\n") + "\n"
		blocks = append(blocks, block)
	}
	return blocks
}

// parseDocMark reads the comment line before a fence.
func parseDocMark(line string) docMark {
	m := markLine.FindStringSubmatch(line)
	if m == nil {
		return docMark{bad: "no <!-- run: … -->, <!-- tested: … --> or <!-- not run: … --> on the line before"}
	}
	if m[1] != "run" {
		mark := docMark{how: m[1], arg: m[2]}
		if m[2] == "" {
			mark.bad = "<!-- " + m[1] + ": --> needs a test name or a reason"
		}
		return mark
	}
	parts := strings.Split(m[2], ";")
	mark := docMark{how: strings.TrimSpace(parts[0])}
	if name, ok := strings.CutPrefix(mark.how, "toml "); ok {
		mark.how, mark.arg = "toml", strings.TrimSpace(name)
	}
	for _, part := range parts[1:] {
		key, value, _ := strings.Cut(strings.TrimSpace(part), ":")
		switch key {
		case "given":
			mark.given = strings.Fields(value)
		case "prints":
			mark.prints = strings.TrimSpace(value)
		default:
			mark.bad = "unknown part " + key
		}
	}
	switch mark.how {
	case "server", "client node", "client sh", "sh", "check":
	case "toml":
		if mark.arg == "" {
			mark.bad = "run: toml needs the file name to write"
		}
	default:
		mark.bad = "unknown way to run: " + mark.how
	}
	return mark
}

// Every code block of the README and of docs/ says how it is run, or that
// it is an illustration; a client follows a server, and a test named as
// running a block exists.
func TestDocBlocksAreMarked(t *testing.T) {
	tests := testNames(t)
	for _, page := range docPages(t) {
		serving := false
		for _, block := range readDocBlocks(t, page) {
			where := page + ":" + strconv.Itoa(block.line)
			switch {
			case block.mark.bad != "":
				t.Errorf("%s: %s", where, block.mark.bad)
			case block.mark.how == "tested" && !tests[strings.Fields(block.mark.arg)[0]]:
				t.Errorf("%s: no test is named %s", where, strings.Fields(block.mark.arg)[0])
			case strings.HasPrefix(block.mark.how, "client") && !serving:
				t.Errorf("%s: a client block with no server block before it", where)
			}
			serving = block.mark.how == "server" || serving && strings.HasPrefix(block.mark.how, "client")
		}
	}
}

// testNames are the Test functions of the repository's Go tests.
func testNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	declared := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && notOurs(d.Name()) {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") {
			source, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range declared.FindAllStringSubmatch(string(source), -1) {
				names[m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// docBlockTested returns the block that the docs say test runs, found by
// the label after the test's name in its mark.
func docBlockTested(t *testing.T, page, test, label string) string {
	t.Helper()
	for _, block := range readDocBlocks(t, page) {
		if block.mark.how == "tested" && block.mark.arg == strings.TrimSpace(test+" "+label) {
			return block.code
		}
	}
	t.Fatalf("%s has no block marked <!-- tested: %s %s -->", page, test, label)
	return ""
}
