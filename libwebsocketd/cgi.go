package libwebsocketd

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/cgi"
	"path/filepath"
)

// serveCGI runs the CGI/1.1 script the URL path names inside --cgidir,
// with the standard library's CGI host. It reports false when the path
// names no script there, so the request can go on to the static files.
// A script takes a --maxforks slot, as a WebSocket process does.
func (h *Handler) serveCGI(w http.ResponseWriter, r *http.Request) bool {
	script, err := resolveScript(h.cfg.CGIDir, h.belowMount(r.URL.EscapedPath()))
	switch {
	case errors.Is(err, errNotExecutable):
		h.log.Error("CGI script is not executable", "category", "http",
			"url", requestURL(r), "error", err)
		http.Error(w, "403 forbidden", http.StatusForbidden)
		return true
	case err != nil:
		return false
	}
	script.name = h.scriptName(script.name)
	path, args, err := cgiCommand(script.path)
	if err != nil {
		h.log.Error("CGI script cannot run", "category", "http", "url", requestURL(r), "error", err)
		http.Error(w, "403 forbidden", http.StatusForbidden)
		return true
	}
	if !h.forks.acquire() {
		h.refuse(w, r, http.StatusTooManyRequests, errTooManyForks.Error())
		return true
	}
	// The CGI host returns once the script has exited and is reaped.
	defer h.forks.release()
	h.runCGI(w, r, script, h.cgiHandler(r, script, path, args))
	return true
}

// cgiHandler is the standard library's CGI host for one script.
func (h *Handler) cgiHandler(r *http.Request, script script, path string, args []string) *cgi.Handler {
	return &cgi.Handler{
		Path: path,
		Args: args,
		// Through safeValue like the path it is a prefix of (cgiRequest).
		Root: safeValue(script.name),
		Dir:  filepath.Dir(script.path),
		// These replace the CGI host's own: its SCRIPT_FILENAME would be
		// the path as it is, which the request chose.
		Env: append([]string{"SERVER_SOFTWARE=websocketd/" + h.cfg.Version, cgiRequestURI(r),
			"SCRIPT_FILENAME=" + safeValue(path)}, cgiExtraVars(r)...),
		InheritEnv: h.cfg.PassEnv,
		// The CGI host's own complaints (a script that cannot start, a
		// malformed response) belong in the server's log, not on stderr.
		Logger: slog.NewLogLogger(h.log.With("category", "cgi", "url", requestURL(r)).Handler(), slog.LevelError),
	}
}

// runCGI serves r with the script, its body read under --cgibodyms
// (cgibody.go).
func (h *Handler) runCGI(w http.ResponseWriter, r *http.Request, script script, handler *cgi.Handler) {
	rec := &accessRecorder{ResponseWriter: w}
	resp := newCGIResponse(rec)
	req := cgiRequest(r)
	if h.cfg.CGIBodyTimeout > 0 && req.ContentLength != 0 {
		req.Body = &stallGuard{body: r.Body, conn: http.NewResponseController(w),
			timeout: h.cfg.CGIBodyTimeout, stalled: func() { h.bodyStalled(r, resp) }}
	}
	handler.ServeHTTP(resp, req)
	if rec.status == http.StatusInternalServerError {
		// The CGI host has logged "no such file or directory" about the
		// script; if the script could not even start, say why.
		if err := missingInterpreter(script.path, handler.Dir); err != nil {
			h.log.Error("cannot start CGI script", "category", "cgi", "url", requestURL(r), "error", err)
		}
	}
}

// bodyStalled follows a CGI request body that brought nothing for
// --cgibodyms: the script's stdin ends, and the client gets 408 unless
// the script has answered.
func (h *Handler) bodyStalled(r *http.Request, resp *cgiResponse) {
	why := "request body stalled (--cgibodyms): the script's stdin ends"
	if resp.timeOut() {
		why += "; 408"
	}
	h.log.Log(r.Context(), LevelAccess, why, "category", "cgi",
		"url", requestURL(r), "remote", r.RemoteAddr)
}
