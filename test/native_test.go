//go:build !windows && !portable

package test

// portableBuild: see portable_test.go.
const portableBuild = false
