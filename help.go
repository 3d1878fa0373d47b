package main

import (
	_ "embed"
	"strings"
)

//go:embed LICENSE
var licenseText string

const shortUsage = "usage: websocketd [OPTION]... COMMAND [ARG]...\n" +
	"       websocketd [OPTION]... --dir=DIR\n" +
	"Try 'websocketd --help' for more information.\n"

const helpHeader = `websocketd turns any program that reads STDIN and writes STDOUT into a
WebSocket server. Each connection gets its own new process of COMMAND;
each line the process writes is sent as one message, and each message
received is written to its STDIN followed by a newline.

Usage:
  websocketd [OPTION]... COMMAND [ARG]...   every URL path runs COMMAND
  websocketd [OPTION]... --dir=DIR          the URL path picks a script in DIR
  websocketd [OPTION]... --staticdir=DIR    only files (add a COMMAND or --dir for WebSockets)

Everything after COMMAND is passed to it as its arguments, untouched.

Options:
`

const helpFooter = `
URL forms:
  ws://HOST:PORT/ANY/PATH?QUERY        runs COMMAND; PATH and QUERY reach it as
                                       SCRIPT_NAME and QUERY_STRING
  ws://HOST:PORT/SCRIPT/EXTRA?QUERY    with --dir: runs DIR/SCRIPT with
                                       PATH_INFO=/EXTRA
  wss://...                            the same over TLS (--ssl)
  http://HOST:PORT/PATH                plain requests: --devconsole, --cgidir,
                                       --staticdir, in that order, else 404

The process environment holds only the --passenv variables and CGI-style
variables: SERVER_SOFTWARE, GATEWAY_INTERFACE, SERVER_PROTOCOL, SERVER_NAME,
SERVER_PORT, REQUEST_METHOD, REQUEST_URI, SCRIPT_NAME, PATH_INFO,
QUERY_STRING, REMOTE_ADDR, REMOTE_HOST, REMOTE_PORT, UNIQUE_ID, HTTPS (over
TLS) and HTTP_<HEADER> for every request header.

Examples:
  websocketd --port=8080 ./count.sh
  websocketd --port=8080 --devconsole python3 ./chat.py --verbose
  websocketd --port=8080 --dir=./scripts --staticdir=./html
  websocketd --port=443 --ssl --sslcert=cert.pem --sslkey=key.pem ./feed.sh
  websocketd --address=127.0.0.1 --address=[::1] --port=8080 --binary cat

Exit status: 0 after a clean shutdown, 1 for a bad configuration, 2 for an
unknown flag, 3 when a listener cannot be bound.
`

// helpText is the full --help: the flags' own help, between a header and
// the URL forms and examples.
func helpText() string {
	var v flagValues
	var b strings.Builder
	b.WriteString(helpHeader)
	b.WriteString(newFlagSet(&v).FlagUsages())
	b.WriteString(helpFooter)
	b.WriteString(signalsHelp)
	return b.String()
}
