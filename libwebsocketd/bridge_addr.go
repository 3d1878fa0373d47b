package libwebsocketd

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode"
)

// unixPrefix marks a --connect address as a Unix socket's path.
const unixPrefix = "unix:"

// errConnectForm is what a --connect address must look like.
var errConnectForm = errors.New("want HOST:PORT or unix:PATH")

// ParseConnectAddress reads a --connect address into the network and the
// address that net.Dial takes: "HOST:PORT" is TCP, with a host (a name or
// an IP address, IPv6 in brackets) and a port number from 1 to 65535;
// "unix:PATH" is a Unix socket. Anything else is refused, so that the
// server never starts with an address it would only fail to dial.
func ParseConnectAddress(addr string) (network, address string, err error) {
	if strings.IndexFunc(addr, unicode.IsControl) >= 0 {
		return "", "", fmt.Errorf("%q: control characters in the address", addr)
	}
	if path, ok := strings.CutPrefix(addr, unixPrefix); ok {
		if path == "" {
			return "", "", fmt.Errorf("%q: %w: the socket's path is empty", addr, errConnectForm)
		}
		return "unix", path, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("%q: %w", addr, errConnectForm)
	}
	if host == "" || strings.ContainsFunc(host, unicode.IsSpace) {
		return "", "", fmt.Errorf("%q: %w: the host is missing or has spaces", addr, errConnectForm)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port != strconv.Itoa(n) {
		return "", "", fmt.Errorf("%q: the port must be a number from 1 to 65535", addr)
	}
	return "tcp", addr, nil
}
