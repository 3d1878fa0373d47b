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
func (h *Handler) serveCGI(w http.ResponseWriter, r *http.Request) bool {
	script, err := resolveScript(h.cfg.CGIDir, r.URL.EscapedPath())
	switch {
	case errors.Is(err, errNotExecutable):
		h.log.Error("CGI script is not executable", "category", "http",
			"url", requestURL(r), "error", err)
		http.Error(w, "403 forbidden", http.StatusForbidden)
		return true
	case err != nil:
		return false
	}
	path, args, err := cgiCommand(script.path)
	if err != nil {
		h.log.Error("CGI script cannot run", "category", "http", "url", requestURL(r), "error", err)
		http.Error(w, "403 forbidden", http.StatusForbidden)
		return true
	}
	handler := &cgi.Handler{
		Path: path,
		Args: args,
		// Through safeValue like the path it is a prefix of (cgiRequest).
		Root: safeValue(script.name),
		Dir:  filepath.Dir(script.path),
		Env: append([]string{"SERVER_SOFTWARE=websocketd/" + h.cfg.Version, cgiRequestURI(r)},
			cgiExtraVars(r)...),
		InheritEnv: h.cfg.PassEnv,
		// The CGI host's own complaints (a script that cannot start, a
		// malformed response) belong in the server's log, not on stderr.
		Logger: slog.NewLogLogger(h.log.With("category", "cgi", "url", requestURL(r)).Handler(), slog.LevelError),
	}
	rec := &accessRecorder{ResponseWriter: w}
	handler.ServeHTTP(rec, cgiRequest(r))
	if rec.status == http.StatusInternalServerError {
		// The CGI host has logged "no such file or directory" about the
		// script; if the script could not even start, say why.
		if err := missingInterpreter(script.path, handler.Dir); err != nil {
			h.log.Error("cannot start CGI script", "category", "cgi", "url", requestURL(r), "error", err)
		}
	}
	return true
}
