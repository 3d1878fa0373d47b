package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"github.com/websocketd/websocketd/libwebsocketd"
)

// RouteConfig is one [[route]] of a --config file, ready for its Handler.
type RouteConfig struct {
	Path    string
	Handler libwebsocketd.Config
	// BasicAuthFile is the route's --basicauth file; main reads it.
	BasicAuthFile string
	// Where is the FILE:LINE of its [[route]].
	Where string
	// key sums up everything the route was made from: a reload keeps the
	// Handler (its sessions and rooms) of a route whose key is unchanged.
	key string
}

// targetKeys are what a route serves; a route has exactly one.
var targetKeys = []string{"command", "connect", "dir", "staticdir", "cgidir"}

// readConfigFile reads --config's file, if any, and gives its top-level
// keys to the flags the command line has not set.
func readConfigFile(fs *pflag.FlagSet, name string, read func(string) ([]byte, error)) (*configFile, error) {
	if name == "" {
		return nil, nil
	}
	data, err := read(name)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	file, err := parseConfigFile(name, data)
	if err != nil {
		return nil, err
	}
	return &file, applyTop(fs, file)
}

// applyTop sets the flags of the file's top-level keys, except those the
// command line gives: its flags win.
func applyTop(fs *pflag.FlagSet, file configFile) error {
	for _, e := range file.top {
		if err := checkFileKey(fs, e.key, false); err != nil {
			return fmt.Errorf("%s: %w", file.where(e.line), err)
		}
		if fs.Changed(e.key) {
			continue
		}
		if err := setFromFile(fs, e.key, e.value, filepath.Dir(file.name)); err != nil {
			return fmt.Errorf("%s: %s: %w", file.where(e.line), e.key, err)
		}
	}
	return nil
}

// checkFileKey says why key cannot stand where it is, if it cannot.
func checkFileKey(fs *pflag.FlagSet, key string, inRoute bool) error {
	_, routeOnly := routeOnlyKeys[key]
	switch {
	case routeOnly && !inRoute && key == "command":
		return errors.New("command belongs in a [[route]] (or give COMMAND on the command line)")
	case routeOnly && !inRoute:
		return fmt.Errorf("%s belongs in a [[route]]", key)
	case routeOnly:
		return nil
	case slices.Contains(notFileKeys, key):
		return fmt.Errorf("%s is for the command line, not a file", key)
	case fs.Lookup(key) == nil:
		return fmt.Errorf("unknown key %q (the keys are the long flag names: see websocketd --help)", key)
	case inRoute && slices.Contains(serverWideKeys, key):
		return fmt.Errorf("%s is server-wide: set it at the top of the file, before the first [[route]]", key)
	}
	return nil
}

// checkSiteTop refuses what cannot go with a file's routes.
func checkSiteTop(fs *pflag.FlagSet, file configFile, cfg Config) error {
	if len(fs.Args()) > 0 {
		return fmt.Errorf("a COMMAND on the command line cannot go with the [[route]] tables of %s: "+
			"give it a route there (command = [...]), or leave the file's routes out", file.name)
	}
	for _, key := range targetKeys[1:] {
		if fs.Lookup(key) != nil && fs.Changed(key) {
			return fmt.Errorf("--%s: with the [[route]] tables of %s, what to serve goes in a route", key, file.name)
		}
	}
	if cfg.Handler.Once {
		return fmt.Errorf("--once serves one session: it cannot go with the [[route]] tables of %s", file.name)
	}
	if problems := cfg.checkServerWide(); len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// buildRoutes makes each [[route]]'s configuration: the flags of the
// command line, then the file's top-level keys, then the route's own keys.
func buildRoutes(file configFile, flagArgs, environ []string) ([]RouteConfig, error) {
	var routes []RouteConfig
	paths := map[string]int{}
	for _, route := range file.routes {
		rc, err := buildRoute(file, route, flagArgs, environ)
		if err != nil {
			return nil, err
		}
		if line, taken := paths[rc.Path]; taken {
			return nil, fmt.Errorf("%s: a second route for the path %q (the first is at line %d)",
				file.where(route.line), rc.Path, line)
		}
		paths[rc.Path] = route.line
		routes = append(routes, rc)
	}
	return routes, nil
}

// routeKeys are a route's keys that are not flags.
type routeKeys struct {
	path, argsFromQuery string
	command             []string
	targets             []string // which of targetKeys it has
}

func buildRoute(file configFile, route fileRoute, flagArgs, environ []string) (RouteConfig, error) {
	where := file.where(route.line)
	var v flagValues
	fs := newFlagSet(&v)
	fs.SetOutput(io.Discard)
	fs.Parse(flagArgs) // parsed once already: it cannot fail
	applyTop(fs, file) // applied once already: it cannot fail
	keys, err := applyRoute(fs, file, route)
	if err != nil {
		return RouteConfig{}, err
	}
	where = fmt.Sprintf("%s (route %s)", where, keys.path)
	cfg, err := v.config(fs, keys.command, environ)
	if err != nil {
		return RouteConfig{}, fmt.Errorf("%s: %w", where, err)
	}
	if err := checkRoute(cfg, keys); err != nil {
		return RouteConfig{}, fmt.Errorf("%s: %w", where, err)
	}
	h := &cfg.Handler
	h.Mount = strings.TrimSuffix(keys.path, "/")
	h.ArgsFromQuery = keys.argsFromQuery
	if len(keys.command) > 0 {
		h.WorkDir = absolute(filepath.Dir(file.name))
	}
	return RouteConfig{Path: keys.path, Handler: cfg.Handler, BasicAuthFile: cfg.BasicAuthFile,
		Where: file.where(route.line), key: routeKey(fs, keys)}, nil
}

// applyRoute sets the flags of a route's keys and returns the others.
func applyRoute(fs *pflag.FlagSet, file configFile, route fileRoute) (routeKeys, error) {
	var keys routeKeys
	base := filepath.Dir(file.name)
	for _, e := range route.entries {
		if err := checkFileKey(fs, e.key, true); err != nil {
			return keys, fmt.Errorf("%s: %w", file.where(e.line), err)
		}
		if slices.Contains(targetKeys, e.key) {
			keys.targets = append(keys.targets, e.key)
		}
		var err error
		switch e.key {
		case "path":
			keys.path, err = routePath(e.value)
		case "command":
			keys.command, err = routeCommand(e.value, base)
		case "args_from_query":
			keys.argsFromQuery, err = queryParameterName(e.value)
		default:
			err = setFromFile(fs, e.key, e.value, base)
		}
		if err != nil {
			return keys, fmt.Errorf("%s: %s: %w", file.where(e.line), e.key, err)
		}
	}
	if keys.path == "" {
		return keys, fmt.Errorf("%s: the route has no path", file.where(route.line))
	}
	return keys, nil
}

func routePath(value any) (string, error) {
	path, ok := value.(string)
	if !ok {
		return "", wantType("a string", value)
	}
	return path, libwebsocketd.CheckRoutePath(path)
}

// routeCommand is command's argv; a relative program path (one with a
// slash) is taken from the file's directory, as the route's processes are
// started there.
func routeCommand(value any, base string) ([]string, error) {
	if _, ok := value.(string); ok {
		return nil, errors.New(`want an array, the program and each argument a string of its own: ["python3", "chat.py"] (there is no shell)`)
	}
	argv, err := stringList("command", value)
	if err != nil {
		return nil, err
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("the program is missing")
	}
	if strings.ContainsRune(argv[0], '/') && !filepath.IsAbs(argv[0]) {
		argv[0] = filepath.Join(absolute(base), argv[0])
	}
	return argv, nil
}

func queryParameterName(value any) (string, error) {
	name, ok := value.(string)
	if !ok {
		return "", wantType("a string", value)
	}
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || strings.ContainsRune("&=#%+;", r) || r > 0x7e }) {
		return "", fmt.Errorf("%q is not a query parameter name (letters, digits, - _ . and the like)", name)
	}
	return name, nil
}

// checkRoute refuses a route that serves nothing, or two things, or that
// its own flags would refuse.
func checkRoute(cfg Config, keys routeKeys) error {
	switch len(keys.targets) {
	case 0:
		return fmt.Errorf("the route serves nothing: give it one of %s", strings.Join(targetKeys, ", "))
	case 1:
	default:
		return fmt.Errorf("the route has %s: give it one of them (a route serves one thing)", strings.Join(keys.targets, " and "))
	}
	target := keys.targets[0]
	if target != "command" && target != "connect" && !strings.HasSuffix(keys.path, "/") {
		return fmt.Errorf("%s serves the paths under the route's: its path must end in / (%s/)", target, keys.path)
	}
	if keys.argsFromQuery != "" && (target != "command" || cfg.Handler.Room != "") {
		return errors.New("args_from_query needs a command, and no room (a room's process is started once, for everyone)")
	}
	// The server-wide settings are the top level's, checked once for all
	// (checkSiteTop): a route cannot set them.
	if problems := cfg.checkServing(); len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// routeKey sums up a route: its flags, every one of them, and its keys.
func routeKey(fs *pflag.FlagSet, keys routeKeys) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q %q %q;", keys.path, keys.command, keys.argsFromQuery)
	fs.VisitAll(func(f *pflag.Flag) { fmt.Fprintf(&b, "%s=%q;", f.Name, f.Value.String()) })
	return b.String()
}

// serverKey sums up the server-wide flags.
func serverKey(fs *pflag.FlagSet) string {
	var b strings.Builder
	for _, name := range serverWideKeys {
		if f := fs.Lookup(name); f != nil {
			fmt.Fprintf(&b, "%s=%q;", name, f.Value.String())
		}
	}
	return b.String()
}

func absolute(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// parseEnv checks --env's NAME=VALUE entries.
func parseEnv(entries []string) ([]string, error) {
	for _, entry := range entries {
		name, value, ok := strings.Cut(entry, "=")
		if !ok || !validEnvName(name) || strings.ContainsRune(value, 0) {
			return nil, fmt.Errorf("--env %q: want NAME=VALUE, NAME of letters, digits and _, not starting with a digit", entry)
		}
	}
	return entries, nil
}

func validEnvName(name string) bool {
	for i, c := range name {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return name != ""
}
