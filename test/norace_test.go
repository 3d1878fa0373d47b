//go:build !windows && !race

package test

const raceEnabled = false
