package libwebsocketd

import (
	"net/http"
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
// still starts with "/" when anything is left.
func (h *Handler) belowMount(escapedPath string) string {
	return strings.TrimPrefix(escapedPath, h.cfg.Mount)
}

// scriptName is SCRIPT_NAME of a script found below the Mount.
func (h *Handler) scriptName(name string) string { return h.cfg.Mount + name }
