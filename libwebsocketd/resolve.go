package libwebsocketd

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// commandTarget is what one upgrade request runs.
type commandTarget struct {
	argv       []string
	scriptName string // SCRIPT_NAME: the URL path of the script
	pathInfo   string // PATH_INFO: what follows it in the URL
	dir        string // working directory; empty inherits the server's
}

// errNotFound and errNotExecutable become 404 and 403.
var (
	errNotFound      = errors.New("no such script")
	errNotExecutable = errors.New("script is not executable")
)

// resolveCommand picks the command for r: the one configured command, or
// the script the URL path names inside --dir.
func (h *Handler) resolveCommand(r *http.Request) (commandTarget, int, error) {
	if h.cfg.ScriptDir == "" {
		// As the classic websocketd: the one command stands at "/" and the
		// whole request path is what follows it, so scripts route on it.
		// Under a route, the route's path stands for it.
		name := h.cfg.Mount
		if name == "" {
			name = "/"
		}
		argv, err := h.commandWithQueryArgs(r)
		if err != nil {
			return commandTarget{}, http.StatusBadRequest, err
		}
		return commandTarget{argv: argv, scriptName: name,
			pathInfo: strings.TrimPrefix(r.URL.Path, h.cfg.Mount), dir: h.cfg.WorkDir}, 0, nil
	}
	script, err := resolveScript(h.cfg.ScriptDir, h.belowMount(r.URL.EscapedPath()))
	if err != nil {
		return commandTarget{}, statusFor(err), err
	}
	return commandTarget{argv: []string{script.path}, scriptName: h.scriptName(script.name),
		pathInfo: script.pathInfo, dir: filepath.Dir(script.path)}, 0, nil
}

func statusFor(err error) int {
	if errors.Is(err, errNotExecutable) {
		return http.StatusForbidden
	}
	return http.StatusNotFound
}

// script is an executable found inside a directory from a URL path.
type script struct {
	path     string // absolute file path
	name     string // URL path of the script (SCRIPT_NAME)
	pathInfo string // rest of the URL path (PATH_INFO)
}

// resolveScript walks escapedPath segment by segment down from root until
// it reaches a file. It never leaves root: a segment that decodes to "."
// or "..", holds a slash or a NUL, or starts with a dot is refused, and
// the file found must still be inside root, and no dot file, once
// symlinks are resolved (absolute targets included: the classic
// websocketd runs a script reached by one).
func resolveScript(root, escapedPath string) (script, error) {
	segments, err := pathSegments(escapedPath)
	if err != nil {
		return script{}, err
	}
	realRoot, err := realDir(root)
	if err != nil {
		return script{}, fmt.Errorf("script directory: %w", err)
	}
	current := realRoot
	for i, segment := range segments {
		current = filepath.Join(current, segment)
		info, err := os.Stat(current)
		if err != nil {
			return script{}, errNotFound
		}
		if info.IsDir() {
			continue
		}
		return checkScript(realRoot, current, info, segments[:i+1], segments[i+1:])
	}
	return script{}, errNotFound // the path names a directory
}

func checkScript(realRoot, path string, info os.FileInfo, name, rest []string) (script, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil || !within(realRoot, real) || !info.Mode().IsRegular() {
		return script{}, errNotFound
	}
	// A symlink, its target absolute or not, may lead to any script
	// inside, but not to a dot file: those are never run by their name
	// either.
	if rel, err := filepath.Rel(realRoot, real); err != nil || hasDotElement(filepath.ToSlash(rel)) {
		return script{}, errNotFound
	}
	if err := checkRunnable(real, info); err != nil {
		return script{}, fmt.Errorf("%w: %s: %w", errNotExecutable, path, err)
	}
	s := script{path: real, name: "/" + strings.Join(name, "/")}
	if len(rest) > 0 {
		s.pathInfo = "/" + strings.Join(rest, "/")
	}
	return s, nil
}

// pathSegments decodes each segment of an escaped URL path on its own, so
// an encoded slash stays inside its segment, where it is refused.
func pathSegments(escapedPath string) ([]string, error) {
	var segments []string
	for _, raw := range strings.Split(strings.TrimPrefix(escapedPath, "/"), "/") {
		segment, err := url.PathUnescape(raw)
		if err != nil || segment == "" || segment[0] == '.' ||
			strings.ContainsAny(segment, "/\\\x00") || !platformSegmentOK(segment) {
			return nil, errNotFound
		}
		segments = append(segments, segment)
	}
	return segments, nil
}

// realDir returns dir as an absolute path without symlinks. Absolute,
// because the script found in it runs in its own directory, where a path
// relative to the server's working directory would lead nowhere.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// within reports whether path is root or below it; both must be clean.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
