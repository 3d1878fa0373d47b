//go:build !windows && race

package main

// raceEnabled builds the websocketd under test with -race too.
const raceEnabled = true
