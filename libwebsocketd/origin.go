package libwebsocketd

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The origin rule: a request without an Origin header is let through,
// because only browsers send one and only browsers need the protection
// (a script can send any Origin it likes). A request with an Origin must
// match --sameorigin or one --origin entry when either is set; "null"
// never matches.

// originRule is one --origin entry. Empty scheme matches http and https;
// empty port matches any port.
type originRule struct {
	scheme, host, port string
}

// ParseOriginRule parses `host`, `host:port` or `scheme://host[:port]`.
func ParseOriginRule(entry string) (originRule, error) {
	entry = strings.TrimSpace(entry)
	bad := func(why string) (originRule, error) {
		return originRule{}, fmt.Errorf("origin %q: %s", entry, why)
	}
	var rule originRule
	rest := entry
	if scheme, after, ok := strings.Cut(entry, "://"); ok {
		rule.scheme = strings.ToLower(scheme)
		if rule.scheme != "http" && rule.scheme != "https" {
			return bad("scheme must be http or https")
		}
		rest = after
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil {
		host, port = strings.Trim(rest, "[]"), ""
	} else if !validPort(port) {
		return bad("port must be a number from 1 to 65535")
	}
	if host == "" || strings.ContainsAny(host, "/?#@ []") || strings.EqualFold(host, "null") {
		return bad("want host, host:port or scheme://host[:port]")
	}
	rule.host, rule.port = strings.ToLower(host), port
	return rule, nil
}

// validPort accepts a port number as an Origin carries it: decimal digits
// without leading zeros.
func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == port
}

func (o originRule) allows(scheme, host, port string) bool {
	return (o.scheme == "" || o.scheme == scheme) && o.host == host && (o.port == "" || o.port == port)
}

// parseOrigin splits an Origin header into scheme, host and port, filling
// in the scheme's default port. A browser sends nothing but
// scheme://host[:port], so anything more (a path, user info, a query) is
// refused rather than guessed at.
func parseOrigin(origin string) (scheme, host, port string, err error) {
	if origin == "null" {
		return "", "", "", errors.New("origin null is never allowed")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || strings.HasSuffix(u.Host, ":") {
		return "", "", "", fmt.Errorf("malformed origin %q", origin)
	}
	port = u.Port()
	if port == "" {
		port = defaultPort(u.Scheme == "https")
	}
	return u.Scheme, strings.ToLower(u.Hostname()), port, nil
}

func defaultPort(tls bool) string {
	if tls {
		return "443"
	}
	return "80"
}

// checkOrigin applies the origin rule to r.
func (h *Handler) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" || (!h.cfg.SameOrigin && len(h.cfg.Origins) == 0) {
		return nil
	}
	scheme, host, port, err := parseOrigin(origin)
	if err != nil {
		return err
	}
	if h.cfg.SameOrigin && sameHost(r, host, port) {
		return nil
	}
	for _, entry := range h.cfg.Origins {
		rule, err := ParseOriginRule(entry)
		if err == nil && rule.allows(scheme, host, port) {
			return nil
		}
	}
	return fmt.Errorf("origin %q not allowed", origin)
}

// sameHost reports whether host:port is the server the client addressed.
func sameHost(r *http.Request, host, port string) bool {
	wantHost, wantPort := splitHostPort(clientHost(r))
	if wantPort == "" {
		wantPort = defaultPort(isHTTPS(r))
	}
	return strings.EqualFold(wantHost, host) && wantPort == port
}
