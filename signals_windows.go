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
