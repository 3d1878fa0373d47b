package libwebsocketd

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// TrustedProxies are the networks (--trustproxy) whose forwarding headers
// are believed. A request from anywhere else keeps its peer address, what
// ever headers it carries: anybody can send X-Forwarded-For.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies parses CIDRs; a bare address means just that host.
func ParseTrustedProxies(entries []string) (TrustedProxies, error) {
	var nets TrustedProxies
	for _, entry := range entries {
		entry = strings.TrimSpace(entry)
		prefix, err := netip.ParsePrefix(entry)
		if err != nil {
			addr, addrErr := netip.ParseAddr(entry)
			if addrErr != nil {
				return nil, fmt.Errorf("--trustproxy: %q is not a CIDR (like 10.0.0.0/8) or an address", entry)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		nets = append(nets, prefix.Masked())
	}
	return nets, nil
}

func (t TrustedProxies) trusts(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, prefix := range t {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// forwarded is what trusted proxies tell about the client.
type forwarded struct {
	client string // the client's address, with its port when known
	https  bool   // the client used https (or wss)
	host   string // the Host the client addressed
}

// ProxyHeader is the one family of forwarding headers believed from a
// trusted proxy (--trustproxyheader). Never both: a proxy sets one family
// and passes the other through from the client untouched (nginx passes a
// client's Forwarded on while it writes X-Forwarded-For), so believing
// both would let the client choose its own address.
type ProxyHeader int

const (
	// XForwardedFor is X-Forwarded-For with X-Forwarded-Proto and
	// X-Forwarded-Host, as nginx and HAProxy send them.
	XForwardedFor ProxyHeader = iota
	// Forwarded is RFC 7239's Forwarded header.
	Forwarded
)

// ParseProxyHeader reads a --trustproxyheader value, in any case.
func ParseProxyHeader(name string) (ProxyHeader, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "x-forwarded-for":
		return XForwardedFor, nil
	case "forwarded":
		return Forwarded, nil
	}
	return 0, fmt.Errorf("--trustproxyheader must be x-forwarded-for or forwarded, not %q", name)
}

// forwardedBy reads the forwarding headers of family from a request that
// came through trusted proxies; the other family is ignored. The client is
// the right-most hop that is not itself a trusted proxy: hops to its left
// were written by the client or by proxies nobody vouches for.
func (t TrustedProxies) forwardedBy(header http.Header, family ProxyHeader) (forwarded, error) {
	if family == Forwarded {
		return t.fromForwardedHeader(header)
	}
	return t.fromXForwarded(header)
}

// fromForwardedHeader reads RFC 7239's Forwarded header.
func (t TrustedProxies) fromForwardedHeader(header http.Header) (forwarded, error) {
	values := header.Values("Forwarded")
	if len(values) == 0 {
		return forwarded{}, nil
	}
	elements, err := parseForwarded(strings.Join(values, ","))
	if err != nil {
		return forwarded{}, fmt.Errorf("Forwarded: %w", err)
	}
	return t.fromForwarded(elements)
}

// fromXForwarded reads X-Forwarded-For, X-Forwarded-Proto and
// X-Forwarded-Host.
func (t TrustedProxies) fromXForwarded(header http.Header) (forwarded, error) {
	var f forwarded
	if values := header.Values("X-Forwarded-For"); len(values) > 0 {
		hops := strings.Split(strings.Join(values, ","), ",")
		nodes := make([]netip.AddrPort, len(hops))
		for i, hop := range hops {
			node, err := parseNode(strings.TrimSpace(hop))
			if err != nil {
				return forwarded{}, fmt.Errorf("X-Forwarded-For: %w", err)
			}
			nodes[i] = node
		}
		f.client = nodeString(nodes[t.clientIndex(nodes)])
	}
	f.https = strings.EqualFold(firstListItem(header.Get("X-Forwarded-Proto")), "https")
	f.host = firstListItem(header.Get("X-Forwarded-Host"))
	return f, nil
}

func (t TrustedProxies) fromForwarded(elements []forwardedElement) (forwarded, error) {
	nodes := make([]netip.AddrPort, len(elements))
	for i, element := range elements {
		node, err := parseNode(element["for"])
		if err != nil {
			return forwarded{}, fmt.Errorf("Forwarded for=: %w", err)
		}
		nodes[i] = node
	}
	i := t.clientIndex(nodes)
	chosen := elements[i]
	return forwarded{client: nodeString(nodes[i]),
		https: strings.EqualFold(chosen["proto"], "https"), host: chosen["host"]}, nil
}

// clientIndex is the right-most node that is not a trusted proxy, or the
// left-most when all are.
func (t TrustedProxies) clientIndex(nodes []netip.AddrPort) int {
	for i := len(nodes) - 1; i > 0; i-- {
		if !t.trusts(nodes[i].Addr()) {
			return i
		}
	}
	return 0
}

// parseNode reads an address as proxies write it: 192.0.2.1, 2001:db8::1,
// [2001:db8::1], 192.0.2.1:4711 or [2001:db8::1]:4711. RFC 7239's
// "unknown" and obfuscated names give no address, so they are errors here.
func parseNode(node string) (netip.AddrPort, error) {
	if addr, err := netip.ParseAddr(node); err == nil && addr.Zone() == "" {
		return netip.AddrPortFrom(addr, 0), nil
	}
	if strings.HasPrefix(node, "[") && strings.HasSuffix(node, "]") {
		if addr, err := netip.ParseAddr(node[1 : len(node)-1]); err == nil && addr.Is6() && addr.Zone() == "" {
			return netip.AddrPortFrom(addr, 0), nil
		}
	}
	addrPort, err := netip.ParseAddrPort(node)
	if err != nil || addrPort.Addr().Zone() != "" || addrPort.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("%q is not an address", node)
	}
	return addrPort, nil
}

// nodeString gives the address as RemoteAddr holds it: host:port, or the
// bare address when the port is unknown (REMOTE_PORT is then empty).
func nodeString(node netip.AddrPort) string {
	if node.Port() == 0 {
		return node.Addr().Unmap().String()
	}
	return net.JoinHostPort(node.Addr().Unmap().String(), strconv.Itoa(int(node.Port())))
}

func firstListItem(value string) string {
	first, _, _ := strings.Cut(value, ",")
	return strings.TrimSpace(first)
}

type forwardedKey struct{}

// behindProxy returns the request as its client sent it to the first
// trusted proxy: RemoteAddr is the client's, and the context says whether
// it used https and which Host it addressed. A request whose peer is not
// trusted, or whose headers do not parse, is returned as it is.
func (h *Handler) behindProxy(r *http.Request) *http.Request {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !h.cfg.TrustProxies.trusts(peer.Addr()) {
		return r
	}
	f, err := h.cfg.TrustProxies.forwardedBy(r.Header, h.cfg.TrustProxyHeader)
	if err != nil {
		h.log.Debug("forwarding headers ignored", "category", "http",
			"remote", r.RemoteAddr, "error", err)
		return r
	}
	if f == (forwarded{}) {
		return r
	}
	r = r.WithContext(context.WithValue(r.Context(), forwardedKey{}, f))
	if f.client != "" {
		r.RemoteAddr = f.client
	}
	return r
}

func forwardedInfo(r *http.Request) forwarded {
	f, _ := r.Context().Value(forwardedKey{}).(forwarded)
	return f
}

// isHTTPS reports whether the client used TLS, to us or to a trusted proxy.
func isHTTPS(r *http.Request) bool { return r.TLS != nil || forwardedInfo(r).https }

// clientHost is the Host the client addressed, which a trusted proxy may
// have replaced on its way here.
func clientHost(r *http.Request) string {
	if host := forwardedInfo(r).host; host != "" {
		return host
	}
	return r.Host
}

// cgiExtraVars are the variables the standard library's CGI host does not
// set itself: HTTPS behind a TLS-ending proxy, and the authenticated user.
func cgiExtraVars(r *http.Request) []string {
	vars := authVars(r)
	if r.TLS == nil && isHTTPS(r) {
		vars = append(vars, "HTTPS=on")
	}
	return vars
}
