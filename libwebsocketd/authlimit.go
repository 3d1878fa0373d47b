package libwebsocketd

import (
	"net/netip"
	"sync"
)

// maxChecksPerAddress bounds the credential checks (bcrypt comparisons)
// under way at once for one client address. Guessing passwords then goes
// at most this many checks at a time per address, and no address can keep
// every core busy hashing. Two leave room for a browser that sends a
// second request before the first one's check is done; once a password
// has passed, the same credentials are answered from memory, uncounted.
const maxChecksPerAddress = 2

// checkGate counts the checks under way per client address.
type checkGate struct {
	mu   sync.Mutex
	busy map[string]int // an address is deleted when its count drops to 0
}

// enter takes a place for a check from key, or reports false when the
// address already has maxChecksPerAddress under way.
func (g *checkGate) enter(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy[key] >= maxChecksPerAddress {
		return false
	}
	if g.busy == nil {
		g.busy = map[string]int{}
	}
	g.busy[key]++
	return true
}

func (g *checkGate) leave(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy[key]--; g.busy[key] <= 0 {
		delete(g.busy, key)
	}
}

// gateKey is the address whose checks are counted together: the client's
// as the access log shows it (after --trustproxy), without the port. An
// IPv6 client counts by its /64, since one host commonly holds a whole
// /64 and could take a fresh address for every guess. A client with no IP
// address (on a Unix socket, "@") counts under what it has, together with
// every other such client.
func gateKey(remoteAddr string) string {
	host, _ := splitHostPort(remoteAddr)
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	prefix, _ := addr.Prefix(64)
	return prefix.String()
}
