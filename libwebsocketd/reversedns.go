package libwebsocketd

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// reverseLookupTimeout bounds the PTR query of --reverselookup; it runs in
// the goroutine of the one request that needs it, so it delays only that
// connection's start.
const reverseLookupTimeout = 2 * time.Second

// remoteHost is REMOTE_HOST: the client's PTR name with --reverselookup,
// else empty (the child then gets the address, as CGI allows).
func (h *Handler) remoteHost(r *http.Request) string {
	if !h.cfg.ReverseLookup {
		return ""
	}
	addr, _ := splitHostPort(r.RemoteAddr)
	ctx, cancel := context.WithTimeout(r.Context(), reverseLookupTimeout)
	defer cancel()
	names, err := net.DefaultResolver.LookupAddr(ctx, addr)
	if err != nil || len(names) == 0 {
		return ""
	}
	return strings.TrimSuffix(names[0], ".")
}
