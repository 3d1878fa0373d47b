//go:build !windows && race

package test

// raceEnabled builds the binary under test with -race too.
const raceEnabled = true
