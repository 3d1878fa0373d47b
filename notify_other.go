//go:build !linux

package main

import "log/slog"

// Readiness notification is systemd's (Type=notify): nothing to tell
// outside Linux.
func notifyReady(*slog.Logger)    {}
func notifyStopping(*slog.Logger) {}
