package libwebsocketd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"time"
)

// accessRecorder remembers the status of a response for the access log,
// and passes hijacking and flushing through to the real writer.
type accessRecorder struct {
	http.ResponseWriter
	status int
}

func (a *accessRecorder) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
	a.ResponseWriter.WriteHeader(status)
}

func (a *accessRecorder) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.ResponseWriter.Write(p)
}

// Hijack is how gorilla/websocket takes the connection for a 101 response.
func (a *accessRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hijacker, ok := a.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("response writer %T cannot be hijacked", a.ResponseWriter)
	}
	a.status = http.StatusSwitchingProtocols
	return hijacker.Hijack()
}

func (a *accessRecorder) Flush() {
	if flusher, ok := a.ResponseWriter.(http.Flusher); ok {
		flusher.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (a *accessRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }

func (h *Handler) logAccess(a *accessRecorder, r *http.Request, start time.Time) {
	status := a.status
	if status == 0 {
		status = http.StatusOK
	}
	h.cfg.Metrics.upgradeAnswered(r, status)
	h.log.Log(r.Context(), LevelAccess, fmt.Sprintf("%s %d %s", r.Method, status, http.StatusText(status)),
		"category", "http", "url", requestURL(r), "remote", r.RemoteAddr,
		"origin", r.Header.Get("Origin"), "duration", time.Since(start).Round(time.Microsecond))
}

// requestURL rebuilds the URL the client asked for, for the logs.
func requestURL(r *http.Request) string {
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + clientHost(r) + r.RequestURI
}
