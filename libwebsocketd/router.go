package libwebsocketd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// Route is one path of a site and the Handler that serves it. A Path
// ending in "/" is a prefix: it serves every path under it (and "/" every
// path); any other Path serves itself alone.
type Route struct {
	Path    string
	Handler *Handler
}

// Router serves a site of several routes, each with a Handler of its own
// configuration (--config's [[route]] tables). A request goes to the
// route its path matches most specifically: the exact route of that path,
// else the longest prefix route. The path matched is the request's own,
// uncleaned: "/term/../chat" is under "/term/", never "/chat", so a route
// is chosen by what the client literally asked for, and each Handler then
// treats dot segments as it always does.
//
// The table is looked up once per request, at the upgrade for a
// WebSocket: a session never looks at it again. Replace swaps it while
// serving (SIGHUP): new requests get the new table, sessions and rooms
// already open keep the Handler they have.
type Router struct {
	table    atomic.Pointer[routeTable]
	fallback *Handler  // paths no route matches: 404, after the site's checks
	forks    slotLimit // --maxforks across every route

	mu           sync.Mutex
	handlers     map[*Handler]struct{} // every Handler served, retiring ones until released
	loopbackOnly bool
	draining     bool
}

// routeTable is one version of the routes: exact paths in a map, prefixes
// longest first.
type routeTable struct {
	exact    map[string]*Handler
	prefixes []Route
}

// NewRouter serves routes. fallback answers the paths no route matches
// (a Handler with nothing to serve answers 404 after the Host check,
// authentication and the access log, as every route does). maxForks
// bounds the processes of all routes together; 0 means no bound beyond
// each route's own.
func NewRouter(routes []Route, fallback *Handler, maxForks int) (*Router, error) {
	rt := &Router{fallback: fallback, handlers: map[*Handler]struct{}{fallback: {}}}
	rt.forks.max = int64(maxForks)
	fallback.forks.parent = &rt.forks
	if err := rt.Replace(routes); err != nil {
		return nil, err
	}
	return rt, nil
}

// Replace serves routes from now on. A Handler already served keeps its
// sessions and rooms; one no longer in the table serves only those, and
// is retired (retire.go): it cannot be served again.
func (rt *Router) Replace(routes []Route) error {
	table, err := newRouteTable(routes)
	if err != nil {
		return err
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.draining {
		return errors.New("the server is shutting down")
	}
	for _, route := range routes {
		if route.Handler.isRetiring() {
			return fmt.Errorf("the route %s has a Handler retired before", route.Path)
		}
	}
	for _, route := range routes {
		if _, served := rt.handlers[route.Handler]; served {
			continue // kept from the table before: set up already
		}
		route.Handler.forks.parent = &rt.forks
		route.Handler.loopbackOnly = rt.loopbackOnly
		rt.handlers[route.Handler] = struct{}{}
	}
	rt.table.Store(table)
	rt.retireDroppedLocked(routes)
	return nil
}

func newRouteTable(routes []Route) (*routeTable, error) {
	t := &routeTable{exact: map[string]*Handler{}}
	seen := map[string]bool{}
	for _, route := range routes {
		if err := CheckRoutePath(route.Path); err != nil {
			return nil, err
		}
		if seen[route.Path] {
			return nil, fmt.Errorf("two routes for the path %q", route.Path)
		}
		seen[route.Path] = true
		if strings.HasSuffix(route.Path, "/") {
			t.prefixes = append(t.prefixes, route)
		} else {
			t.exact[route.Path] = route.Handler
		}
	}
	// Longest first: the first prefix that matches is the most specific.
	slices.SortStableFunc(t.prefixes, func(a, b Route) int { return len(b.Path) - len(a.Path) })
	return t, nil
}

// match finds the Handler of path, or nil.
func (t *routeTable) match(path string) *Handler {
	if h, ok := t.exact[path]; ok {
		return h
	}
	for _, route := range t.prefixes {
		if strings.HasPrefix(path, route.Path) {
			return route.Handler
		}
	}
	return nil
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := rt.table.Load().match(r.URL.Path); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	rt.fallback.ServeHTTP(w, r)
}

// Shutdown shuts every Handler down at once, retired ones included, and
// waits for all of them (Handler.Shutdown).
func (rt *Router) Shutdown(ctx context.Context) error {
	rt.mu.Lock()
	rt.draining = true
	handlers := make([]*Handler, 0, len(rt.handlers))
	for h := range rt.handlers {
		handlers = append(handlers, h)
	}
	rt.mu.Unlock()
	errs := make(chan error, len(handlers))
	for _, h := range handlers {
		go func() { errs <- h.Shutdown(ctx) }()
	}
	var err error
	for range handlers {
		err = errors.Join(err, <-errs)
	}
	return err
}

func (rt *Router) setLoopbackOnly(only bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.loopbackOnly = only
	for h := range rt.handlers {
		h.loopbackOnly = only
	}
}

// runsPrograms reports whether a route runs programs, so that the server
// sets up their containment before the first one starts.
func (rt *Router) runsPrograms() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for h := range rt.handlers {
		if h.runsPrograms() {
			return true
		}
	}
	return false
}

// CheckRoutePath says what is wrong with a route's path, if anything: it
// is a URL path as the client's request decodes to, starting with "/",
// without dot segments, empty segments, control characters, "?" or "#",
// which no request path could match.
func CheckRoutePath(path string) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("route path %q must start with /", path)
	}
	if strings.ContainsAny(path, "?#") || strings.ContainsFunc(path, unicode.IsControl) {
		return fmt.Errorf("route path %q: no ?, # or control characters", path)
	}
	if path == "/" {
		return nil
	}
	for _, segment := range strings.Split(strings.TrimSuffix(path[1:], "/"), "/") {
		if segment == "" || segment == "." || segment == ".." {
			return fmt.Errorf("route path %q: no empty, . or .. segments", path)
		}
	}
	return nil
}
