//go:build ignore

// Sends every message received straight back, unchanged.
// Build: make examples (or go build -o examples/go/echo examples/go/echo.go)
// Run: websocketd --port=8080 examples/go/echo
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	// A Reader rather than a Scanner: a Scanner stops at lines over 64 KiB.
	in := bufio.NewReader(os.Stdin)
	for {
		line, err := in.ReadString('\n')
		if line != "" {
			fmt.Println(strings.TrimSuffix(line, "\n"))
		}
		if err != nil {
			return // io.EOF: the connection closed
		}
	}
}
