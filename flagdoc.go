package main

import (
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// flagGroups orders --help, the man page and the flags page of the docs,
// docs/flags.md (flagspage.go), in these groups.
// A flag that no group names still appears, under "Other options"; to give
// a new flag its place, add its name to one line here.
var flagGroups = []struct {
	title string
	names []string
}{
	{"Configuration file", []string{"config", "check", "print-config"}},
	{"Listening", []string{"port", "address", "unixsocket"}},
	{"What to serve", []string{"dir", "connect", "staticdir", "staticlist", "cgidir", "cgibodyms", "devconsole", "sse"}},
	{"Messages and processes", []string{"binary", "passstderr", "pty", "terminal", "maxforks", "maxframesize",
		"maxlinesize", "closems", "pingms", "shutdownms", "passenv", "env"}},
	{"Resumable sessions", []string{"resumems", "resumebuffer"}},
	{"Rooms", []string{"room", "roomlinger", "roomqueue", "roomslowms", "roomreplay", "roomreplaybytes", "maxclients"}},
	{"Clustering", []string{"cluster", "clustername", "clusteruser", "clusterpassword", "clustertoken", "clustercreds", "clusterca"}},
	{"Protocol", []string{"framed", "subprotocol", "subprotocolrequired", "compress", "compresslevel"}},
	{"Requests and responses", []string{"reverselookup", "origin", "sameorigin", "allowhost", "header", "header-ws", "header-http"}},
	{"TLS", []string{"ssl", "sslcert", "sslkey", "sslca", "redirport"}},
	{"Operations", []string{"basicauth", "trustproxy", "trustproxyheader", "metrics", "idlems", "maxsessionms", "once"}},
	{"Logging", []string{"loglevel", "logformat"}},
	{"Information", []string{"help", "version", "license"}},
}

const otherGroup = "Other options"

// flagDoc is one flag as the help, the man page and the completions show it.
type flagDoc struct {
	Name, Shorthand string
	Value           string // the value's name (N, DIR, FILE...); "" for a switch
	Help            string // the help with the value name's back quotes removed
	Default         string // "" when the zero value is the default
	Repeatable      bool
}

// docGroup is a titled list of flags.
type docGroup struct {
	Title string
	Flags []flagDoc
}

// documentFlags returns every flag of fs, grouped as flagGroups says.
func documentFlags(fs *pflag.FlagSet) []docGroup {
	var groups []docGroup
	placed := map[string]bool{}
	for _, g := range flagGroups {
		group := docGroup{Title: g.title}
		for _, name := range g.names {
			if f := fs.Lookup(name); f != nil && !f.Hidden {
				group.Flags = append(group.Flags, describeFlag(f))
				placed[name] = true
			}
		}
		if len(group.Flags) > 0 {
			groups = append(groups, group)
		}
	}
	other := docGroup{Title: otherGroup}
	fs.VisitAll(func(f *pflag.Flag) {
		if !placed[f.Name] && !f.Hidden {
			other.Flags = append(other.Flags, describeFlag(f))
		}
	})
	if len(other.Flags) > 0 {
		groups = append(groups, other)
	}
	return groups
}

func describeFlag(f *pflag.Flag) flagDoc {
	name, help := pflag.UnquoteUsage(f)
	kind := f.Value.Type()
	if !strings.Contains(f.Usage, "`") {
		name = valueNames[kind] // pflag's own would be "stringArray"
	}
	if f.NoOptDefVal != "" {
		name = "" // a switch: --binary, not --binary=true
	}
	return flagDoc{
		Name: f.Name, Shorthand: f.Shorthand, Value: name, Help: help,
		Default: shownDefault(f), Repeatable: strings.HasSuffix(kind, "Array"),
	}
}

// valueNames are the value names of flags whose help does not name the
// value in back quotes: readable words rather than Go type names.
var valueNames = map[string]string{
	"int": "N", "int64": "N", "uint": "N", "uint64": "N", "float64": "NUMBER",
	"duration": "DURATION", "string": "VALUE", "stringArray": "VALUE",
	"stringSlice": "LIST", "intSlice": "LIST",
}

// shownDefault is the default worth printing: none for zero values, and a
// list without pflag's brackets.
func shownDefault(f *pflag.Flag) string {
	if f.NoOptDefVal != "" || slices.Contains([]string{"", "0", "false", "[]"}, f.DefValue) {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(f.DefValue, "["), "]")
}

// synopsis is "--name=VALUE", "--name" or "-h, --help".
func (d flagDoc) synopsis() string {
	s := "--" + d.Name
	if d.Value != "" {
		s += "=" + d.Value
	}
	if d.Shorthand != "" {
		s = "-" + d.Shorthand + ", " + s
	}
	return s
}

// fullHelp is the help with the default and repeatability appended.
func (d flagDoc) fullHelp() string {
	help := d.Help
	if d.Repeatable && !strings.Contains(help, "repeat") {
		help += " (repeatable)"
	}
	if d.Default != "" {
		help += " (default " + d.Default + ")"
	}
	return help
}
