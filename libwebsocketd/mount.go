package libwebsocketd

import (
	"net/http"
	"net/url"
	"strings"
)

// A Handler served by a Router under a route's path (Config.Mount) finds
// scripts and files from what follows that path, and names its scripts
// with it in front.

// mounted serves next the requests under mount with mount cut from their
// path, as next would see them served at "/".
func mounted(mount string, next http.Handler) http.Handler {
	if mount == "" {
		return next
	}
	return http.StripPrefix(mount, next)
}

// belowMount is an escaped request path without the Handler's Mount; it
// still starts with "/" when anything is left. The Router chose the route
// by the decoded path, so the Mount is matched segment by segment, each
// decoded: "/scr%69pts/x" is under "/scripts", but "/scripts%2Fx" is not
// (its one segment holds a slash), and gets "", which names no file.
func (h *Handler) belowMount(escapedPath string) string {
	if h.cfg.Mount == "" {
		return escapedPath
	}
	mount := strings.Split(h.cfg.Mount, "/")
	segments := strings.Split(escapedPath, "/")
	if len(segments) < len(mount) {
		return ""
	}
	for i, want := range mount {
		if got, err := url.PathUnescape(segments[i]); err != nil || got != want {
			return ""
		}
	}
	if len(segments) == len(mount) {
		return ""
	}
	return "/" + strings.Join(segments[len(mount):], "/")
}

// scriptName is SCRIPT_NAME of a script found below the Mount.
func (h *Handler) scriptName(name string) string { return h.cfg.Mount + name }
