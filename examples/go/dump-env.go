//go:build ignore

// Prints every environment variable as NAME=value, sorted by name, then
// exits. Useful for inspecting the CGI-style variables websocketd sets.
// Build: make examples (or go build -o examples/go/dump-env examples/go/dump-env.go)
// Run: websocketd --port=8080 examples/go/dump-env
package main

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
)

func main() {
	env := os.Environ()
	slices.SortFunc(env, func(a, b string) int { return cmp.Compare(name(a), name(b)) })
	for _, entry := range env {
		fmt.Println(entry)
	}
}

// name is the part of a "NAME=value" entry before the first "=".
func name(entry string) string {
	n, _, _ := strings.Cut(entry, "=")
	return n
}
