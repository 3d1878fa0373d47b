package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/websocketd/websocketd/libwebsocketd"
)

// site is what the server serves: the one Handler of a command line, or
// the Router of a --config file's [[route]] tables, which SIGHUP reloads.
type site struct {
	handler *libwebsocketd.Handler // without routes
	router  *libwebsocketd.Router  // with routes
	cfg     Config                 // as loaded; a reload must keep its server-wide settings
	log     *slog.Logger
	// handlers are the routes' Handlers by their RouteConfig.key: a reload
	// keeps those of unchanged routes, with their sessions and rooms.
	handlers map[string]*libwebsocketd.Handler
	// auths are the --basicauth files read, shared by the routes naming
	// the same file and re-read on SIGHUP.
	auths map[string]*libwebsocketd.BasicAuth
}

// newSite makes the Handler, or the Router and a Handler per route. cfg's
// operations are started (startOperations): its top-level --basicauth is
// read and its metrics exist.
func newSite(cfg Config, log *slog.Logger) (*site, error) {
	s := &site{cfg: cfg, log: log, auths: map[string]*libwebsocketd.BasicAuth{}}
	if cfg.Handler.BasicAuth != nil {
		s.auths[cfg.BasicAuthFile] = cfg.Handler.BasicAuth
	}
	var err error
	if cfg.Routes == nil {
		s.handler, err = libwebsocketd.NewHandler(cfg.Handler, log)
		return s, err
	}
	// Paths no route matches get 404, after the site's Host check,
	// authentication and access log.
	top := cfg.Handler
	top.DevConsole, top.Cluster = false, nil
	fallback, err := libwebsocketd.NewHandler(top, log)
	if err != nil {
		return nil, err
	}
	routes, handlers, err := s.routeHandlers(cfg.Routes)
	if err != nil {
		return nil, err
	}
	s.handlers = handlers
	s.router, err = libwebsocketd.NewRouter(routes, fallback, cfg.Handler.MaxForks)
	return s, err
}

// served is what the Server serves.
func (s *site) served() libwebsocketd.Site {
	if s.router != nil {
		return s.router
	}
	return s.handler
}

// onceDone reports the exit status of --once's session; it never fires
// for routes, which --once does not go with.
func (s *site) onceDone() <-chan int {
	if s.handler == nil {
		return nil
	}
	return s.handler.OnceDone()
}

// routeHandlers gives each route a Handler: the one it has when nothing
// about it changed, else a new one.
func (s *site) routeHandlers(configs []RouteConfig) ([]libwebsocketd.Route, map[string]*libwebsocketd.Handler, error) {
	routes := make([]libwebsocketd.Route, 0, len(configs))
	handlers := map[string]*libwebsocketd.Handler{}
	for _, rc := range configs {
		h, kept := s.handlers[rc.key]
		if !kept {
			var err error
			if h, err = s.newRouteHandler(rc); err != nil {
				return nil, nil, fmt.Errorf("%s (route %s): %w", rc.Where, rc.Path, err)
			}
		}
		handlers[rc.key] = h
		routes = append(routes, libwebsocketd.Route{Path: rc.Path, Handler: h})
	}
	return routes, handlers, nil
}

func (s *site) newRouteHandler(rc RouteConfig) (*libwebsocketd.Handler, error) {
	cfg := rc.Handler
	cfg.Metrics = s.cfg.Handler.Metrics
	if cfg.Room == "" {
		cfg.Cluster = nil // only rooms are shared across servers
	}
	if rc.BasicAuthFile != "" {
		auth, err := s.basicAuth(rc.BasicAuthFile)
		if err != nil {
			return nil, err
		}
		cfg.BasicAuth = auth
	}
	return libwebsocketd.NewHandler(cfg, s.log)
}

func (s *site) basicAuth(file string) (*libwebsocketd.BasicAuth, error) {
	if auth, ok := s.auths[file]; ok {
		return auth, nil
	}
	auth, err := libwebsocketd.NewBasicAuth(file)
	if err == nil {
		s.auths[file] = auth
	}
	return auth, err
}

// reload answers SIGHUP for the site: the --basicauth files and the
// --config file's routes are read again. It reports whether there was
// anything to reload.
func (s *site) reload(log *slog.Logger) bool {
	for file, auth := range s.auths {
		if err := auth.Reload(); err != nil {
			log.Error("SIGHUP: keeping the old users", "category", "server", "file", file, "error", err)
		} else {
			log.Info("SIGHUP: --basicauth file reloaded", "category", "server", "file", file)
		}
	}
	if s.router == nil {
		if s.cfg.ConfigFile != "" {
			log.Info("SIGHUP: "+s.cfg.ConfigFile+" has no [[route]] tables: a change to its keys takes a restart", "category", "server")
		}
		return len(s.auths) > 0 || s.cfg.ConfigFile != ""
	}
	if err := s.reloadRoutes(); err != nil {
		log.Error("SIGHUP: keeping the routes as they were", "category", "server", "error", err)
	}
	return true
}

func (s *site) reloadRoutes() error {
	cfg, err := loadConfig(s.cfg.args, s.cfg.environ, os.ReadFile)
	switch {
	case err != nil:
		return err
	case cfg.serverKey != s.cfg.serverKey:
		return fmt.Errorf("%s changes server-wide settings (listeners, TLS, logging, proxies, hosts, metrics), which take a restart", s.cfg.ConfigFile)
	case cfg.Routes == nil:
		return fmt.Errorf("%s has no [[route]] tables now", s.cfg.ConfigFile)
	}
	if err := checkPaths(cfg); err != nil {
		return err
	}
	routes, handlers, err := s.routeHandlers(cfg.Routes)
	if err != nil {
		return err
	}
	if err := s.router.Replace(routes); err != nil {
		return err
	}
	kept := 0
	for key := range handlers {
		if _, ok := s.handlers[key]; ok {
			kept++
		}
	}
	s.handlers = handlers
	s.log.Info(fmt.Sprintf("SIGHUP: %d routes from %s (%d unchanged, %d new or changed)",
		len(routes), s.cfg.ConfigFile, kept, len(routes)-kept), "category", "server")
	return nil
}
