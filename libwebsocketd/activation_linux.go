package libwebsocketd

import (
	"fmt"
	"net"

	"github.com/coreos/go-systemd/v22/activation"
)

// systemdListeners returns the listening sockets that systemd handed over
// (socket activation: LISTEN_PID names this process, LISTEN_FDS counts the
// descriptors from 3 on), or nil when there are none. The variables are
// unset so that nothing started later mistakes them for its own.
func systemdListeners() ([]net.Listener, error) {
	listeners, err := activation.Listeners()
	if err != nil {
		return nil, fmt.Errorf("socket activation: %w", err)
	}
	for i, l := range listeners {
		if l == nil {
			for _, other := range listeners {
				if other != nil {
					other.Close()
				}
			}
			return nil, fmt.Errorf("socket activation: descriptor %d is not a listening stream socket "+
				"(use ListenStream= and Accept=no in the .socket unit)", 3+i)
		}
	}
	return listeners, nil
}
