package main

import "log/slog"

// warnWritableScriptDirs warns at start about a --dir or --cgidir that
// every local user may change: the check that a script is inside its
// directory is made before the exec, which finds the script by its path
// again, and anyone who can add or swap a file there runs any program as
// websocketd's user anyway (docs/urls.md).
func warnWritableScriptDirs(cfg Config, log *slog.Logger) {
	for _, d := range []struct{ flag, dir string }{
		{"--dir", cfg.Handler.ScriptDir}, {"--cgidir", cfg.Handler.CGIDir},
	} {
		if d.dir == "" {
			continue
		}
		if open := worldWritableDir(d.dir); open != "" {
			log.Warn("note: every user may write to "+open+", so anyone can run any program as websocketd's user through "+
				d.flag+"; make it writable only by those who may", "category", "server")
		}
	}
}
