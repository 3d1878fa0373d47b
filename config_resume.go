package main

import (
	"time"

	"github.com/spf13/pflag"
	"github.com/websocketd/websocketd/libwebsocketd"
)

// The resume flags (the Resumable sessions group): a process that outlives
// a dropped connection, for its client to come back to.

type resumeFlags struct {
	ms, buffer int
}

func declareResumeFlags(fs *pflag.FlagSet, r *resumeFlags) {
	fs.IntVar(&r.ms, "resumems", 0, "a client that connects with ?resume=1 gets a token first; if its connection drops without a close frame, its process is kept `MS` milliseconds for it to come back with ?resume=TOKEN&received=N (0: off)")
	fs.IntVar(&r.buffer, "resumebuffer", libwebsocketd.DefaultResumeBuffer, "most `BYTES` of output kept for a client coming back (--resumems); beyond it the process is stopped")
}

func (r resumeFlags) apply(cfg *Config) {
	cfg.Handler.ResumeTimeout = time.Duration(r.ms) * time.Millisecond
	cfg.Handler.ResumeBuffer = r.buffer
}

// checkResume refuses bad resume settings, and combinations where no
// process of a client's own could be kept.
func (c Config) checkResume(fail func(string, ...any)) {
	h := c.Handler
	if h.ResumeTimeout < 0 || h.ResumeBuffer < 1 {
		fail("--resumems cannot be negative, and --resumebuffer must be at least 1 byte")
	}
	if h.ResumeTimeout == 0 {
		return
	}
	if h.Room != "" || h.Connect != "" || h.Once {
		fail("--resumems cannot be combined with --room, --connect or --once: it keeps a session's own process")
	}
	if h.PassStderr {
		fail("--resumems cannot be combined with --passstderr: stderr lines are not kept for the client")
	}
}
