//go:build !linux

package libwebsocketd

import "net"

// systemdListeners: socket activation is systemd's, so there is none to
// take over outside Linux.
func systemdListeners() ([]net.Listener, error) { return nil, nil }
