package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// flagsPagePath is where `make docs` writes flagsMarkdown; a test fails
// when the file there differs from what the flags say.
const flagsPagePath = "docs/flags.md"

// groupPages sends the reader of a flag group to the page that explains it.
var groupPages = map[string]string{
	"Configuration file":     "[Routes and the configuration file](routes.md#configuration-file)",
	"Listening":              "[Unix sockets](production.md#unix-sockets), [systemd](production.md#systemd-socket-activation-and-readiness)",
	"What to serve":          "[URLs and the process environment](urls.md), [routes](routes.md), [Server-Sent Events](routes.md#server-sent-events)",
	"Messages and processes": "[What happens on a connection](connections.md), [terminals](terminal.md)",
	"Rooms":                  "[Rooms](rooms.md)",
	"Resumable sessions":     "[Resumable sessions](connections.md#resumable-sessions)",
	"Clustering":             "[Rooms across servers](rooms.md#rooms-across-servers)",
	"Protocol":               "[Framed mode](framing.md), [subprotocols](urls.md#subprotocols), [compression](compression.md)",
	"Requests and responses": "[Origins](urls.md#origins), [Hosts](urls.md#hosts-dns-rebinding)",
	"TLS":                    "[TLS](production.md#tls)",
	"Operations":             "[Authentication](production.md#authentication), [nginx](production.md#behind-nginx), [metrics](production.md#metrics-health-timeouts-run-once)",
	"Logging":                "[Logging](logging.md)",
}

// flagsMarkdown is docs/flags.md: every flag in the groups of --help, with
// its default and where it may stand in a --config file, and the keys
// that only a route has. Written from the declarations, as the man page
// is, so that the reference cannot drift from the program.
func flagsMarkdown(fs *pflag.FlagSet) string {
	var b strings.Builder
	b.WriteString("<!-- Written by `make docs` from the flag declarations (flagspage.go): edit those, not this file. -->\n")
	b.WriteString("# Flags and configuration keys\n\n")
	b.WriteString("Every flag of `websocketd --help`, in its groups. In a `--config` file each flag is a key of the\n" +
		"same name and meaning ([routes](routes.md#configuration-file)): *route* keys may stand at the top\n" +
		"(the default of every route) or in a `[[route]]`, *top* keys only at the top; *none* are for the\n" +
		"command line alone. How to write them, the exit statuses and examples: [the command line](command-line.md).\n")
	for _, group := range documentFlags(fs) {
		fmt.Fprintf(&b, "\n## %s\n\n", group.Title)
		if see, ok := groupPages[group.Title]; ok {
			fmt.Fprintf(&b, "See %s.\n\n", see)
		}
		b.WriteString("| flag | default | in a file | meaning |\n|---|---|---|---|\n")
		for _, flag := range group.Flags {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", flag.synopsis(), flagsPageDefault(flag),
				fileKeyPlace(flag.Name), markdownText(flagsPageHelp(flag)))
		}
	}
	b.WriteString("\n## Keys of a route only\n\nThese stand only in a `[[route]]` table; on the command line, COMMAND is the one route's command.\n\n")
	b.WriteString("| key | meaning |\n|---|---|\n")
	for _, key := range slices.Sorted(maps.Keys(routeOnlyKeys)) {
		fmt.Fprintf(&b, "| `%s` | %s |\n", key, markdownText(routeOnlyKeys[key]))
	}
	return b.String()
}

// fileKeyPlace says where a flag may stand in a --config file.
func fileKeyPlace(name string) string {
	switch {
	case slices.Contains(notFileKeys, name):
		return "none"
	case slices.Contains(serverWideKeys, name):
		return "top"
	}
	return "route"
}

// flagsPageDefault is a flag's default as the page shows it. --passenv's
// differs by system, so it is given for each rather than for the machine
// that wrote the page.
func flagsPageDefault(flag flagDoc) string {
	if flag.Name == "passenv" {
		return fmt.Sprintf("`%s` (Linux, BSDs), `%s` (macOS), `%s` (Windows)",
			strings.Join(defaultPassEnv("linux"), ","), strings.Join(defaultPassEnv("darwin"), ","),
			strings.Join(defaultPassEnv("windows"), ","))
	}
	if flag.Default == "" {
		return ""
	}
	return "`" + flag.Default + "`"
}

// flagsPageHelp is the help without the default, which has its own column.
func flagsPageHelp(flag flagDoc) string {
	flag.Default = ""
	return flag.fullHelp()
}
