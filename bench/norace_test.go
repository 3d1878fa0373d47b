//go:build !windows && !race

package main

const raceEnabled = false
