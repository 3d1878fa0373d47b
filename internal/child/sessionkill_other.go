//go:build !linux

package child

// killSession has no portable way to list a session's members outside
// Linux; there the group signals are what ends a --terminal child's jobs,
// together with the hang-up of the terminal.
func killSession(int) {}
