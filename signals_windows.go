package main

import (
	"os"
	"syscall"
)

// serverSignals end the server gracefully: os.Interrupt is Ctrl-C and
// Ctrl-Break at the console, SIGTERM the console being closed, the user
// logging off or the system shutting down. Windows has no SIGHUP, so there
// is no reload signal.
var serverSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

func isReload(os.Signal) bool { return false }

// signalsHelp ends --help: what Windows's console events do, and what it
// lacks.
const signalsHelp = `
Ctrl-C, Ctrl-Break, closing the console, logging off, shutting down and a
service stop end the server gracefully (a second one kills what is left).
SIGHUP does not exist on Windows: new --sslcert/--sslkey or --basicauth
files need a restart there.
`
