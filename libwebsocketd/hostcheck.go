package libwebsocketd

import (
	"net"
	"net/http"
)

// hostChecked reports whether requests must carry an allowed Host: always
// with --allowhost, and by default when every listener is on loopback. A
// Unix socket does not count as loopback: a proxy usually sits in front of
// it and forwards the public name.
func (h *Handler) hostChecked() bool {
	return h.cfg.AllowHosts != nil || h.loopbackOnly
}

// allowsHost applies the Host rule (hostallow.go) to the Host header and,
// from a trusted proxy, to the Host the client addressed there: a browser
// that was rebound to the proxy gives itself away in the latter. A request
// without Host, which only a non-browser HTTP/1.0 client sends, passes.
func (h *Handler) allowsHost(r *http.Request) bool {
	for _, value := range []string{r.Host, forwardedInfo(r).host} {
		if value == "" {
			continue
		}
		host, addr, ok := parseHostHeader(value)
		if !ok || !h.cfg.AllowHosts.allows(host, addr) {
			return false
		}
	}
	return true
}

// refuseHost answers a request for a name this server does not serve.
func (h *Handler) refuseHost(w http.ResponseWriter, r *http.Request) {
	h.log.Log(r.Context(), LevelAccess, "refused: Host not allowed (see --allowhost)", "category", "http",
		"url", requestURL(r), "remote", r.RemoteAddr, "host", r.Host, "status", http.StatusForbidden)
	http.Error(w, "403 Forbidden: this server does not answer to this Host name "+
		"(a defence against DNS rebinding); its operator can allow it with --allowhost", http.StatusForbidden)
}

// onlyLoopback reports whether every listener is a TCP one on a loopback
// address (127.0.0.0/8, ::1).
func onlyLoopback(listeners []net.Listener) bool {
	for _, l := range listeners {
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok || !addr.IP.IsLoopback() {
			return false
		}
	}
	return len(listeners) > 0
}
