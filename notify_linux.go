package main

import (
	"log/slog"

	"github.com/coreos/go-systemd/v22/daemon"
)

func notifyReady(log *slog.Logger)    { notify(log, daemon.SdNotifyReady) }
func notifyStopping(log *slog.Logger) { notify(log, daemon.SdNotifyStopping) }

// notify tells systemd (Type=notify) how the service is doing; without
// NOTIFY_SOCKET it does nothing. The variable stays set, for STOPPING=1;
// children never see it, as they get only --passenv variables.
func notify(log *slog.Logger, state string) {
	if _, err := daemon.SdNotify(false, state); err != nil {
		log.Error("cannot notify systemd", "category", "server", "state", state, "error", err)
	}
}
