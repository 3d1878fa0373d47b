//go:build ignore

// Replies "Hello, <name>!" to every message received; exits when the
// connection (stdin) closes.
// Build: make examples (or go build -o examples/go/greeter examples/go/greeter.go)
// Run: websocketd --port=8080 examples/go/greeter
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
			name := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			fmt.Printf("Hello, %s!\n", name)
		}
		if err != nil {
			return // io.EOF: the connection closed
		}
	}
}
