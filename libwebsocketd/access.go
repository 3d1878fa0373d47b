package libwebsocketd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// accessRecorder remembers the status of a response for the access log,
// and passes hijacking and flushing through to the real writer.
type accessRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool // the connection was taken: only answeredUpgrade sets a status then
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
// Taking it is not answering: gorilla may close it without a word (a
// client that sent data, such as a body, before the 101).
func (a *accessRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hijacker, ok := a.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("response writer %T cannot be hijacked", a.ResponseWriter)
	}
	a.hijacked = true
	return hijacker.Hijack()
}

// answeredUpgrade tells the access log that the 101 went out.
func answeredUpgrade(w http.ResponseWriter) {
	if a, ok := w.(*accessRecorder); ok {
		a.status = http.StatusSwitchingProtocols
	}
}

func (a *accessRecorder) Flush() {
	if flusher, ok := a.ResponseWriter.(http.Flusher); ok {
		flusher.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (a *accessRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }

func (h *Handler) logAccess(a *accessRecorder, r *http.Request, start time.Time) {
	message := r.Method + " dropped without a response"
	if status := a.status; status != 0 || !a.hijacked {
		if status == 0 {
			status = http.StatusOK
		}
		h.cfg.Metrics.upgradeAnswered(r, status)
		message = fmt.Sprintf("%s %d %s", r.Method, status, http.StatusText(status))
	}
	h.log.Log(r.Context(), LevelAccess, message,
		"category", "http", "url", requestURL(r), "remote", r.RemoteAddr,
		"origin", r.Header.Get("Origin"), "duration", time.Since(start).Round(time.Microsecond))
}

// requestURL rebuilds the URL the client asked for, for the logs: the
// scheme it used and the Host it addressed, then the request target's path
// and query. An absolute-form target (GET http://host/x) gives its host to
// r.Host already, and an authority-form one (CONNECT host:port) is nothing
// but that host, so neither is repeated.
func requestURL(r *http.Request) string {
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + clientHost(r) + targetPathAndQuery(r.RequestURI)
}

// targetPathAndQuery is what follows the authority in a request target.
func targetPathAndQuery(target string) string {
	if strings.HasPrefix(target, "/") {
		return target // origin-form, by far the most common
	}
	_, rest, absolute := strings.Cut(target, "://")
	if !absolute {
		return "" // authority-form
	}
	if end := strings.IndexAny(rest, "/?"); end >= 0 {
		return rest[end:]
	}
	return ""
}
