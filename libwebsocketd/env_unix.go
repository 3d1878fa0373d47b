//go:build unix

package libwebsocketd

// sameEnvName: Unix variable names are case-sensitive.
func sameEnvName(a, b string) bool { return a == b }
