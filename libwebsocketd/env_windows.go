package libwebsocketd

import "strings"

// sameEnvName: Windows variable names are case-insensitive, and the
// environment often spells them its own way ("Path", "SystemRoot"), so
// --passenv=PATH must match Path.
func sameEnvName(a, b string) bool { return strings.EqualFold(a, b) }
