package libwebsocketd

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
)

// newRedirectServer answers plain HTTP on --redirport with a 301 to the
// same path and query over https on the TLS port.
func newRedirectServer(tlsPort int, log *slog.Logger) *http.Server {
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _ := splitHostPort(r.Host)
		if host == "" {
			host, _ = splitHostPort(localAddr(r))
		}
		target := "https://" + hostPort(host, tlsPort) + r.URL.RequestURI()
		log.Log(r.Context(), LevelAccess, "redirect to "+target, "category", "http",
			"url", "http://"+r.Host+r.RequestURI, "remote", r.RemoteAddr)
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
	return &http.Server{Handler: redirect, ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
}

// hostPort leaves out the default https port.
func hostPort(host string, port int) string {
	if port == 443 {
		if net.ParseIP(host) != nil && net.ParseIP(host).To4() == nil {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func localAddr(r *http.Request) string {
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return addr.String()
	}
	return ""
}
