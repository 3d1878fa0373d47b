// Command websocketd turns any program that reads STDIN and writes STDOUT
// into a WebSocket server: each connection gets its own process, each
// line the process writes is a message, each message is a line it reads.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/websocketd/websocketd/libwebsocketd"
)

// Exit statuses.
const (
	exitOK         = 0
	exitConfig     = 1 // bad configuration
	exitUsage      = 2 // command line that cannot be parsed
	exitListen     = 3 // cannot bind
	exitServeError = 4 // a listener failed while serving
)

// generateDocs is set only in a build with -tags gendocs (gendocs.go),
// which writes the man page and completions instead of serving.
var generateDocs func(args []string) int

func main() {
	if generateDocs != nil {
		os.Exit(generateDocs(os.Args[1:]))
	}
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func run(args, environ []string, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(args, environ, os.ReadFile)
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "websocketd: %v\n%s", err, shortUsage)
		return exitUsage
	case errors.Is(err, errNothingToServe):
		fmt.Fprintf(stderr, "websocketd: %v\n%s", err, shortUsage)
		return exitConfig
	case err != nil:
		fmt.Fprintf(stderr, "websocketd: %v\n", err)
		return exitConfig
	}
	switch cfg.Show {
	case "help":
		fmt.Fprint(stdout, helpText())
		return exitOK
	case "version":
		fmt.Fprint(stdout, versionLine())
		return exitOK
	case "license":
		fmt.Fprint(stdout, licenseText)
		return exitOK
	case "print-config":
		fmt.Fprint(stdout, cfg.Printed)
		return exitOK
	}
	if err := checkPaths(cfg); err != nil {
		fmt.Fprintf(stderr, "websocketd: %v\n", err)
		return exitConfig
	}
	if cfg.Show == "check" {
		fmt.Fprint(stdout, routeTable(cfg))
		return exitOK
	}
	return serve(cfg, libwebsocketd.NewLogger(stdout, cfg.LogLevel, cfg.LogFormat), stderr)
}

// checkPaths makes sure the commands and directories exist before the
// server starts, so a typo is reported now and not at the first client.
func checkPaths(cfg Config) error {
	if cfg.Routes == nil {
		return checkHandlerPaths(cfg.Handler)
	}
	for _, route := range cfg.Routes {
		if err := checkHandlerPaths(route.Handler); err != nil {
			return fmt.Errorf("%s (route %s): %w", route.Where, route.Path, err)
		}
	}
	return nil
}

func checkHandlerPaths(h libwebsocketd.Config) error {
	if command := h.Command; len(command) > 0 {
		if _, err := exec.LookPath(command[0]); err != nil {
			return fmt.Errorf("command %q: %w", command[0], errors.Unwrap(err))
		}
	}
	dirs := map[string]string{"--dir": h.ScriptDir, "--staticdir": h.StaticDir, "--cgidir": h.CGIDir}
	for flag, dir := range dirs {
		if dir == "" {
			continue
		}
		if info, err := os.Stat(dir); err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		} else if !info.IsDir() {
			return fmt.Errorf("%s: %s is not a directory", flag, dir)
		}
	}
	return nil
}

// serve runs the server until a signal ends it.
func serve(cfg Config, log *slog.Logger, stderr io.Writer) int {
	// Signals are caught from the start: from the first connection on, the
	// default action (dying at once) would leave its process behind.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, serverSignals...)
	defer watchService(signals)()
	warnMisplacedFlags(cfg, log)
	warnWritableScriptDirs(cfg, log)
	metrics, code := startOperations(&cfg, log, stderr)
	if code != exitOK {
		return code
	}
	defer metrics.stop()
	site, err := newSite(cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "websocketd: %v\n", err)
		return exitConfig
	}
	server, err := libwebsocketd.NewServer(cfg.Server, site.served(), log)
	if err != nil {
		fmt.Fprintf(stderr, "websocketd: %v\n", err)
		return exitConfig
	}
	if err := server.Listen(); err != nil {
		logFatal(log, stderr, "cannot listen: "+err.Error())
		return exitListen
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve() }()
	select {
	case <-server.Ready():
	case err := <-served:
		log.Error("server stopped", "category", "server", "error", err)
		shutdown(server, cfg, log, signals)
		return exitServeError
	}
	for _, url := range server.URLs() {
		log.Info("serving "+describe(cfg)+" on "+url, "category", "server")
	}
	for _, url := range server.RedirectURLs() {
		log.Info("redirecting "+url+" to https", "category", "server")
	}
	notifyReady(log)
	return awaitEnd(server, site, cfg, log, served, signals)
}

// logFatal puts why the server cannot run in its log (stdout), where every
// other line goes and where the classic websocketd put it; with
// --loglevel=none it goes to stderr, so the reason is never lost.
func logFatal(log *slog.Logger, stderr io.Writer, why string) {
	if log.Enabled(context.Background(), libwebsocketd.LevelFatal) {
		log.Log(context.Background(), libwebsocketd.LevelFatal, why, "category", "server")
		return
	}
	fmt.Fprintf(stderr, "websocketd: %s\n", why)
}

// awaitEnd serves until SIGTERM or SIGINT, or with --once until the one
// session ended, then shuts down gracefully. SIGHUP reloads the routes, certificates
// and the --basicauth file.
func awaitEnd(server *libwebsocketd.Server, site *site, cfg Config, log *slog.Logger, served <-chan error, signals <-chan os.Signal) int {
	once := site.onceDone()
	for {
		select {
		case code := <-once:
			log.Info(fmt.Sprintf("--once: the session ended (exit status %d), shutting down", code), "category", "server")
			shutdown(server, cfg, log, signals)
			return max(code, 0)
		case err := <-served:
			log.Error("server stopped", "category", "server", "error", err)
			shutdown(server, cfg, log, signals)
			return exitServeError
		case sig := <-signals:
			if isReload(sig) {
				reload(server, site, cfg, log)
				continue
			}
			log.Info("shutting down on "+sig.String(), "category", "server")
			shutdown(server, cfg, log, signals)
			return exitOK
		}
	}
}

// shutdown ends every session, waiting for them at most --shutdownms; a
// second SIGINT or SIGTERM cuts that wait short and kills what is left.
func shutdown(server *libwebsocketd.Server, cfg Config, log *slog.Logger, signals <-chan os.Signal) {
	notifyStopping(log)
	cfg.Handler.Metrics.ShuttingDown()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	done := make(chan struct{})
	go func() { server.Shutdown(ctx); close(done) }()
	for {
		select {
		case <-done:
			return
		case sig := <-signals:
			if isReload(sig) {
				continue // no reloading while going away
			}
			log.Info("second "+sig.String()+": killing the remaining processes", "category", "server")
			cancel()
		}
	}
}

// reload answers SIGHUP: the --config file's routes, the --basicauth
// files and the certificates are read again; what fails to load is kept
// as it was, and the log says why.
func reload(server *libwebsocketd.Server, site *site, cfg Config, log *slog.Logger) {
	reloaded := site.reload(log)
	if cfg.Server.TLS {
		if err := server.ReloadCertificates(); err != nil {
			log.Error("SIGHUP: keeping the old certificate", "category", "server", "error", err)
		} else {
			log.Info("SIGHUP: certificates reloaded", "category", "server")
		}
		reloaded = true
	}
	if !reloaded {
		log.Info("SIGHUP: nothing to reload without --config, --ssl or --basicauth", "category", "server")
	}
}

// warnMisplacedFlags says once why "websocketd ./x.sh --port=9000" is not
// on port 9000: everything after COMMAND is COMMAND's.
func warnMisplacedFlags(cfg Config, log *slog.Logger) {
	if len(cfg.MisplacedFlags) == 0 {
		return
	}
	log.Warn("note: "+strings.Join(cfg.MisplacedFlags, " ")+" after COMMAND go to "+cfg.Handler.Command[0]+
		" as its arguments, not to websocketd; put websocketd's flags before COMMAND", "category", "server")
}

func describe(cfg Config) string {
	switch {
	case cfg.Routes != nil:
		return fmt.Sprintf("%d routes of %s", len(cfg.Routes), cfg.ConfigFile)
	case len(cfg.Handler.Command) > 0:
		return fmt.Sprintf("command %q", cfg.Handler.Command)
	case cfg.Handler.ScriptDir != "":
		return "scripts in " + cfg.Handler.ScriptDir
	case cfg.Handler.Connect != "":
		return "connections to " + cfg.Handler.Connect
	}
	return "files"
}
