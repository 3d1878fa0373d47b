package libwebsocketd

import (
	"fmt"
	"net/netip"
	"strings"
)

// The Host rule defends against DNS rebinding: a web page whose name the
// attacker re-points at 127.0.0.1 reaches a loopback server from the
// visitor's browser, with an Origin and a Host that match each other, so
// --sameorigin lets it through. What gives it away is the Host header: it
// carries the attacker's name, never a loopback one. Loopback names and
// addresses are therefore always allowed, and other names only when
// --allowhost lists them.

// AllowedHosts is --allowhost: the names and addresses a request's Host
// may carry besides the loopback ones, with any port.
type AllowedHosts struct {
	any      bool                // "*": every Host
	names    map[string]bool     // "example.com", lower case, no trailing dot
	suffixes []string            // ".example.com": its subdomains (the name itself is in names)
	addrs    map[netip.Addr]bool // "192.0.2.1", "2001:db8::1" or "[2001:db8::1]"
}

// ParseAllowedHosts reads --allowhost entries: a host name, a name with a
// leading "." (that name and every name under it), an IP address (IPv6
// with or without brackets) or "*" (any Host). Names are compared without
// regard to case or a trailing dot. Entries carry no port: any is allowed.
func ParseAllowedHosts(entries []string) (*AllowedHosts, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("--allowhost needs a name, an address or *")
	}
	a := &AllowedHosts{names: map[string]bool{}, addrs: map[netip.Addr]bool{}}
	for _, entry := range entries {
		if err := a.add(strings.TrimSpace(entry)); err != nil {
			return nil, fmt.Errorf("--allowhost %q: %w", entry, err)
		}
	}
	return a, nil
}

func (a *AllowedHosts) add(entry string) error {
	switch entry {
	case "*":
		a.any = true
		return nil
	case "":
		return fmt.Errorf("an empty entry")
	}
	bare := entry
	if strings.HasPrefix(entry, "[") && strings.HasSuffix(entry, "]") {
		bare = entry[1 : len(entry)-1]
	}
	if addr, err := netip.ParseAddr(bare); err == nil {
		if addr.Zone() != "" {
			return fmt.Errorf("an address with a zone never appears in a Host header")
		}
		a.addrs[addr.Unmap()] = true
		return nil
	}
	if strings.Contains(entry, ":") {
		return fmt.Errorf("want a name or an address without a port (every port is allowed)")
	}
	name, subdomains := strings.CutPrefix(strings.ToLower(entry), ".")
	name = strings.TrimSuffix(name, ".")
	if !validHostName(name) {
		return fmt.Errorf(`want a host name (example.com), a name with a leading "." for it and its subdomains (.example.com), an IP address, or *`)
	}
	a.names[name] = true
	if subdomains {
		a.suffixes = append(a.suffixes, "."+name)
	}
	return nil
}

// allows reports whether a Host header's host (from parseHostHeader) is
// a loopback one or one the list names.
func (a *AllowedHosts) allows(host string, addr netip.Addr) bool {
	if isLoopbackHost(host, addr) || (a != nil && a.any) {
		return true
	}
	if a == nil {
		return false
	}
	if addr.IsValid() {
		return a.addrs[addr.Unmap()]
	}
	if a.names[host] {
		return true
	}
	for _, suffix := range a.suffixes {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// isLoopbackHost: localhost, a name under .localhost (RFC 6761 keeps both
// on the machine itself), 127.0.0.0/8 or ::1.
func isLoopbackHost(host string, addr netip.Addr) bool {
	if addr.IsValid() {
		return addr.IsLoopback()
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// parseHostHeader reads a Host header, host[:port], into its host: lower
// case, without a trailing dot, and for an IP address (IPv6 in brackets)
// the address too. ok is false for anything else, which no browser sends.
func parseHostHeader(value string) (host string, addr netip.Addr, ok bool) {
	host, port := value, ""
	if strings.HasPrefix(value, "[") {
		end := strings.IndexByte(value, ']')
		if end < 0 {
			return "", netip.Addr{}, false
		}
		host, port = value[1:end], value[end+1:]
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" || !validHostPort(port) {
			return "", netip.Addr{}, false
		}
		return strings.ToLower(host), addr, true
	}
	if i := strings.IndexByte(value, ':'); i >= 0 {
		host, port = value[:i], value[i:]
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if !validHostPort(port) {
		return "", netip.Addr{}, false
	}
	if addr, err := netip.ParseAddr(host); err == nil && addr.Is4() {
		return host, addr, true
	}
	return host, netip.Addr{}, validHostName(host)
}

// validHostPort accepts what may follow the host: nothing, or ":" and
// digits (RFC 9110 allows an empty port).
func validHostPort(port string) bool {
	if port == "" {
		return true
	}
	if port[0] != ':' || len(port) > 6 {
		return false
	}
	for _, c := range port[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validHostName accepts dot-separated labels of letters, digits, '-' and
// '_' (some private names have it), none of them empty.
func validHostName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}
