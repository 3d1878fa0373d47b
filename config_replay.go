package main

import (
	"github.com/spf13/pflag"
)

// The replay flags (in the Rooms group): what a client joining a room
// gets of what the room sent before it came.

type replayFlags struct {
	count, bytes int
}

// defaultReplayBytes bounds the replay of a room: as much as one client's
// --roomqueue by default.
const defaultReplayBytes = 1 << 20

func declareReplayFlags(fs *pflag.FlagSet, r *replayFlags) {
	fs.IntVar(&r.count, "roomreplay", 0, "a client joining a room first gets the last `N` messages the room sent to everyone, then the live ones (0: none)")
	fs.IntVar(&r.bytes, "roomreplaybytes", defaultReplayBytes, "most `BYTES` of messages a room keeps for --roomreplay; older ones go first")
}

func (r replayFlags) apply(cfg *Config) {
	cfg.Handler.RoomReplay, cfg.Handler.RoomReplayBytes = r.count, r.bytes
}

// checkReplay refuses bad replay settings.
func (c Config) checkReplay(fail func(string, ...any)) {
	h := c.Handler
	if h.RoomReplay < 0 || h.RoomReplayBytes < 1 {
		fail("--roomreplay cannot be negative, and --roomreplaybytes must be at least 1 byte")
	}
	if h.RoomReplay > 0 && h.Room == "" {
		fail("--roomreplay needs --room: only a room has messages to replay")
	}
}
