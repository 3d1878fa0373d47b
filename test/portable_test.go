//go:build !windows && portable

package test

// portableBuild: the suite runs with -tags portable, so the binary under
// test is built with it too, and runs the code macOS and the BSDs run.
const portableBuild = true
