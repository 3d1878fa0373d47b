package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/pflag"
	"github.com/websocketd/websocketd/libwebsocketd"
)

// printConfig is the --config file that does what the command line in fs
// does: its server-wide flags at the top, the rest in one [[route]] at
// "/" (--print-config, to move from flags to a file).
func printConfig(fs *pflag.FlagSet, configFile string) (string, error) {
	if configFile != "" {
		return "", errors.New("--print-config turns a command line into a file: leave --config out")
	}
	var top, route strings.Builder
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Changed || slices.Contains(notFileKeys, f.Name) {
			return
		}
		line := f.Name + " = " + tomlValue(f) + "\n"
		if slices.Contains(serverWideKeys, f.Name) {
			top.WriteString(line)
		} else {
			route.WriteString(line)
		}
	})
	var out strings.Builder
	out.WriteString("# websocketd --config=FILE: what this command line does. Relative paths\n" +
		"# were made absolute; a route's command runs in the file's directory.\n")
	out.WriteString(top.String())
	out.WriteString("\n[[route]]\npath = \"/\"\n")
	if args := fs.Args(); len(args) > 0 {
		if strings.ContainsRune(args[0], '/') {
			args = slices.Concat([]string{absolute(args[0])}, args[1:])
		}
		out.WriteString("command = " + tomlString(args) + "\n")
	}
	out.WriteString(route.String())
	return out.String(), nil
}

// tomlValue is a flag's value written as TOML, of its flag's type.
func tomlValue(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "bool", "int", "int64":
		return f.Value.String() // the same in TOML
	case "stringSlice", "stringArray":
		return tomlString(f.Value.(pflag.SliceValue).GetSlice())
	}
	value := f.Value.String()
	if slices.Contains(pathKeys, f.Name) && value != "" {
		value = absolute(value)
	}
	return tomlString(value)
}

// tomlString is a string or a list of strings in TOML's syntax.
func tomlString(v any) string {
	out, err := toml.Marshal(map[string]any{"v": v})
	if err != nil {
		return strconv.Quote(fmt.Sprint(v)) // not reached: strings always marshal
	}
	return strings.TrimSuffix(strings.TrimPrefix(string(out), "v = "), "\n")
}

// routeTable is what --check prints: each route, what serves it and
// where it was set.
func routeTable(cfg Config) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PATH\tSERVES\tFROM")
	if cfg.Routes == nil {
		fmt.Fprintf(w, "/\t%s\t%s\n", describeServing(cfg.Handler), "command line")
	}
	for _, r := range cfg.Routes {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Path, describeServing(r.Handler), r.Where)
	}
	w.Flush()
	return b.String()
}

// describeServing says in a few words what a Handler serves and how:
// what it serves first, then its modes in an order that does not change.
func describeServing(h libwebsocketd.Config) string {
	var serves, modes []string
	switch {
	case len(h.Command) > 0:
		serves = append(serves, "command "+strings.Join(h.Command, " "))
	case h.ScriptDir != "":
		serves = append(serves, "scripts in "+filepath.Clean(h.ScriptDir))
	case h.Connect != "":
		serves = append(serves, "connections to "+h.Connect)
	}
	if h.StaticDir != "" {
		serves = append(serves, "files in "+filepath.Clean(h.StaticDir))
	}
	if h.CGIDir != "" {
		serves = append(serves, "CGI in "+filepath.Clean(h.CGIDir))
	}
	for mode, on := range map[string]bool{"room=" + h.Room: h.Room != "", "terminal": h.Terminal,
		"pty": h.PTY, "binary": h.Binary && !h.Terminal, "framed": h.Framed, "devconsole": h.DevConsole,
		"sse": h.SSE, "args from ?" + h.ArgsFromQuery: h.ArgsFromQuery != ""} {
		if on {
			modes = append(modes, mode)
		}
	}
	slices.Sort(modes)
	return strings.Join(append(serves, modes...), ", ")
}
