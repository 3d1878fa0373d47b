package libwebsocketd

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Limits of ArgsFromQuery: beyond them the request gets 400, so a URL
// cannot make a command line the system refuses or a child that drowns.
const (
	maxQueryArgs     = 32
	maxQueryArgBytes = 4096
)

// commandWithQueryArgs is Command with the values of the ArgsFromQuery
// parameter appended, in order, each an argument of its own. No shell
// ever sees them; a value that looks like a flag is the command's to
// handle ("--" at the end of Command is the usual way).
func (h *Handler) commandWithQueryArgs(r *http.Request) ([]string, error) {
	if h.cfg.ArgsFromQuery == "" {
		return h.cfg.Command, nil
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("the query cannot be read: %v", err)
	}
	values := query[h.cfg.ArgsFromQuery]
	if len(values) > maxQueryArgs {
		return nil, fmt.Errorf("more than %d %s= arguments", maxQueryArgs, h.cfg.ArgsFromQuery)
	}
	for _, v := range values {
		switch {
		case len(v) > maxQueryArgBytes:
			return nil, fmt.Errorf("an argument %s= longer than %d bytes", h.cfg.ArgsFromQuery, maxQueryArgBytes)
		case strings.ContainsRune(v, 0):
			return nil, fmt.Errorf("an argument %s= with a NUL byte, which no command line can hold", h.cfg.ArgsFromQuery)
		}
	}
	return slices.Concat(h.cfg.Command, values), nil
}
