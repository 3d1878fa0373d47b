//go:build unix

package main

import (
	"os"
	"syscall"
)

// serverSignals end the server gracefully (SIGINT, SIGTERM) or reload its
// certificates (SIGHUP, see isReload).
var serverSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

func isReload(sig os.Signal) bool { return sig == syscall.SIGHUP }

// signalsHelp ends --help: what each signal does.
const signalsHelp = `
Signals: SIGTERM or SIGINT shut down gracefully (a second one kills what is
left); SIGHUP reloads the --config file's routes and the --sslcert/--sslkey
and --basicauth files.
`
