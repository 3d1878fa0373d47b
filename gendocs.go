//go:build gendocs

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cpuguy83/go-md2man/v2/md2man"
)

// With -tags gendocs, `websocketd DIR [FLAGSPAGE]` writes the man page and
// the shell completions into DIR, and the flags page of docs/ to
// FLAGSPAGE, instead of serving: `make docs` runs it. A build tag rather
// than a flag keeps this out of the program users get.
func init() { generateDocs = writeDocs }

func writeDocs(args []string) int {
	if len(args) != 1 && len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run -tags gendocs . OUTDIR [FLAGSPAGE]")
		return exitUsage
	}
	var v flagValues
	fs := newFlagSet(&v)
	files := map[string][]byte{
		"man/websocketd.1":            md2man.Render([]byte(manMarkdown(fs))),
		"completions/websocketd.bash": []byte(bashCompletion(fs)),
		"completions/_websocketd":     []byte(zshCompletion(fs)),
		"completions/websocketd.fish": []byte(fishCompletion(fs)),
	}
	paths := map[string][]byte{}
	for name, content := range files {
		paths[filepath.Join(args[0], name)] = content
	}
	if len(args) == 2 {
		paths[args[1]] = []byte(flagsMarkdown(fs))
	}
	for path, content := range paths {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "websocketd:", err)
			return exitConfig
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "websocketd:", err)
			return exitConfig
		}
	}
	return exitOK
}
