package main

import (
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

//go:embed LICENSE
var licenseText string

const shortUsage = "usage: websocketd [OPTION]... COMMAND [ARG]...\n" +
	"       websocketd [OPTION]... --dir=DIR\n" +
	"Try 'websocketd --help' for more information.\n"

// The prose of --help, in pieces that the man page reuses (manpage.go).
const helpDescription = `websocketd turns any program that reads STDIN and writes STDOUT into a
WebSocket server. Each connection gets its own new process of COMMAND;
each line the process writes is sent as one message, and each message
received is written to its STDIN followed by a newline.`

const helpUsage = `  websocketd [OPTION]... COMMAND [ARG]...   every URL path runs COMMAND
  websocketd [OPTION]... --dir=DIR          the URL path picks a script in DIR
  websocketd [OPTION]... --staticdir=DIR    plain files only
  websocketd [OPTION]... --config=FILE      the routes of a TOML file`

const helpArguments = `Everything after COMMAND is passed to it as its arguments, untouched.
Long flags take one dash or two: -port=8080 is --port=8080.`

const helpURLForms = `  ws://HOST:PORT/ANY/PATH?QUERY        runs COMMAND with SCRIPT_NAME=/,
                                       PATH_INFO=/ANY/PATH, QUERY_STRING=QUERY
  ws://HOST:PORT/SCRIPT/EXTRA?QUERY    with --dir: runs DIR/SCRIPT with
                                       SCRIPT_NAME=/SCRIPT, PATH_INFO=/EXTRA
  wss://...                            the same over TLS (--ssl)
  http://HOST:PORT/PATH                plain requests: --devconsole, --cgidir,
                                       --staticdir, in that order, else 404`

const helpEnvironment = `The process environment holds only the --passenv variables and CGI-style
variables: SERVER_SOFTWARE, GATEWAY_INTERFACE, SERVER_PROTOCOL, SERVER_NAME,
SERVER_PORT, REQUEST_METHOD, REQUEST_URI, SCRIPT_NAME, PATH_INFO,
QUERY_STRING, REMOTE_ADDR, REMOTE_HOST, REMOTE_PORT, UNIQUE_ID, HTTPS (over
TLS), WEBSOCKET_PROTOCOL (the --subprotocol chosen), AUTH_TYPE and
REMOTE_USER (with --basicauth) and HTTP_<HEADER> for every request header
(but Authorization with --basicauth).

With --framed, each message both ways is a 4-byte big-endian header (bit 31:
1 = text, 0 = binary; bits 0-30: payload length) and its payload.`

const helpTerminals = `Output that arrives late, or all at once at the end, is a program
buffering its STDOUT because it is a pipe: --pty makes STDOUT a terminal
(raw mode, 80x24), so lines leave as they are printed; STDIN and STDERR
stay pipes. --terminal is for interactive programs (shells, vim, top): a
full terminal as the process's controlling terminal, raw output in binary
messages; a text message {"resize":{"cols":N,"rows":N}} resizes it,
?cols=N&rows=N sets the first size, and --devconsole serves an xterm.js
page for it. --terminal hands a shell to whoever connects: bind it to
127.0.0.1 (which also refuses Hosts that are not loopback names), or use
TLS, --basicauth, --origin and --allowhost behind a proxy.`

const helpExamples = `  websocketd --port=8080 ./count.sh
  websocketd --port=8080 --pty ./ticker.py
  websocketd --port=8080 --address=127.0.0.1 --devconsole --terminal bash
  websocketd --port=8080 --devconsole python3 ./chat.py --verbose
  websocketd --port=8080 --dir=./scripts --staticdir=./html
  websocketd --port=443 --ssl --sslcert=cert.pem --sslkey=key.pem ./feed.sh
  websocketd --address=127.0.0.1 --address=[::1] --port=8080 --binary cat
  websocketd --port=8080 --basicauth=/etc/websocketd/htpasswd ./shell.sh
  websocketd --port=8080 --trustproxy=127.0.0.1/32 ./chat.py
  websocketd --port=8080 --metrics=127.0.0.1:9100 ./feed.sh
  websocketd --port=8080 --idlems=300000 --maxsessionms=3600000 ./chat.py
  websocketd --port=8080 --once ./job.sh && echo "the job succeeded"
  websocketd --port=8080 --framed --compress --subprotocol=v2.chat ./chat.py`

const helpExitStatus = `0 after a clean shutdown, 1 for a bad configuration, 2 for an
unknown flag, 3 when a listener (the --metrics one too) cannot be bound, 4
when a listener fails while serving; with --once, the exit status of the
session's process (128+N after signal N).`

// helpText is the full --help: the flags, grouped, between a header and
// the URL forms and examples.
func helpText() string {
	var v flagValues
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nUsage:\n%s\n\n%s\n", helpDescription, helpUsage, helpArguments)
	for _, group := range documentFlags(newFlagSet(&v)) {
		fmt.Fprintf(&b, "\n%s:\n", group.Title)
		for _, flag := range group.Flags {
			writeFlagHelp(&b, flag)
		}
	}
	fmt.Fprintf(&b, "\nURL forms:\n%s\n\n%s\n\n%s\n\nConfiguration file:\n%s\n\nExamples:\n%s\n\nExit status: %s\n",
		helpURLForms, helpEnvironment, helpTerminals, indentLines(helpConfigFile()), helpExamples, helpExitStatus)
	b.WriteString(signalsHelp)
	return b.String()
}

// helpConfigFile says what a --config file holds; its lists of keys come
// from their declarations (configfile_keys.go).
func helpConfigFile() string {
	var b strings.Builder
	b.WriteString(strings.Join(wrapWords("A --config file is TOML. Its top-level keys are the long flag names, "+
		"with their meanings and defaults; each [[route]] table serves one path (exact, or a prefix when it "+
		"ends in /) with exactly one of command, connect, dir, staticdir, cgidir. Every flag that is not "+
		"server-wide is also a route key, and at the top the default of every route. Flags given on the "+
		"command line override the top level; a route's own keys override both. SIGHUP reloads the routes.",
		helpWidth-helpIndent), "\n"))
	b.WriteString("\n\nRoute-only keys:\n")
	for _, key := range slices.Sorted(maps.Keys(routeOnlyKeys)) {
		lines := wrapWords(routeOnlyKeys[key], helpWidth-helpColumn)
		fmt.Fprintf(&b, "%-*s%s\n", helpColumn-helpIndent, key, strings.Join(lines, "\n"+strings.Repeat(" ", helpColumn-helpIndent)))
	}
	b.WriteString("\n" + strings.Join(wrapWords("Server-wide keys, at the top only: "+
		strings.Join(serverWideKeys, ", ")+".", helpWidth-helpIndent), "\n"))
	return b.String()
}

// indentLines puts helpIndent spaces before every line that is not empty.
func indentLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if line != "" {
			lines[i] = strings.Repeat(" ", helpIndent) + line
		}
	}
	return strings.Join(lines, "\n")
}

// Help layout: the synopsis in a column of its own, the help wrapped at
// helpWidth beside it (or below it when the synopsis is too wide).
const (
	helpIndent = 2
	helpColumn = 26
	helpWidth  = 79
)

func writeFlagHelp(b *strings.Builder, flag flagDoc) {
	synopsis := strings.Repeat(" ", helpIndent) + flag.synopsis()
	lines := wrapWords(flag.fullHelp(), helpWidth-helpColumn)
	pad := strings.Repeat(" ", helpColumn)
	if len(synopsis) >= helpColumn-1 {
		b.WriteString(synopsis + "\n")
	} else {
		b.WriteString(synopsis + pad[len(synopsis):] + lines[0] + "\n")
		lines = lines[1:]
	}
	for _, line := range lines {
		b.WriteString(pad + line + "\n")
	}
}

// wrapWords breaks text into lines of at most width characters where it
// can (a longer word gets a line of its own).
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}
