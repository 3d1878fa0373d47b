//go:build ignore

// Counts from 1 to 10, one number per message, pausing half a second
// between numbers, then exits.
// Build: make examples (or go build -o examples/go/count examples/go/count.go)
// Run: websocketd --port=8080 examples/go/count
//
// Each file here is a program of its own; the "ignore" build tag keeps
// them out of "go build ./...", which would see four mains in one package.
package main

import (
	"fmt"
	"time"
)

func main() {
	for i := 1; i <= 10; i++ {
		fmt.Println(i) // os.Stdout is not buffered: the line leaves at once
		if i < 10 {
			time.Sleep(500 * time.Millisecond)
		}
	}
}
