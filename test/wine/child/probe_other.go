//go:build !windows

package main

import "fmt"

// probeBreak: console events are Windows's.
func probeBreak() { fmt.Println("not Windows") }
