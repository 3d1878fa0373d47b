package libwebsocketd

import (
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// A session that asked for it (?resume=1, with --resumems) has its
// process through a resumable: between the process's output side and the
// sessions, one at a time, that the client attaches. While one is
// attached, output goes to it and is kept too (resume_kept.go): what the
// kernel or a proxy had taken just before a cut may never have arrived,
// so the client says on its return how many messages it has. When the
// connection drops without a close frame, the session ends but the
// process does not: it is kept ResumeTimeout, its output kept, until a
// client comes back with the token (resume_upgrade.go), or the time is
// over, or the output outgrows ResumeBuffer; then it is stopped as a
// session's process is. The first connection's slots are held until the
// process has ended.
type resumable struct {
	h       *Handler
	proc    backend // the process; a fake in tests
	codec   codec
	path    string // the URL path its tokens are good on
	log     *slog.Logger
	release func(exitCode int) // the first connection's slots, client's included

	tokenKey [sha256.Size]byte // guarded by h.resumes.mu

	mu        sync.Mutex
	out       outbound    // the attached session; nil while none is
	kept      keptOutput  // the output a client coming back may need
	delivered uint64      // messages numbered below were sent to a client
	ended     *exitStatus // how the process ended, once it has
	released  bool        // release was called
	tracked   bool        // detached: a live session to the Handler's shutdown
	overflown bool        // the output outgrew the buffer while detached
	// claimed is set from a resume's claim to its attach: the messages
	// from claimedFrom on must stay, whatever is sent meanwhile.
	claimed     bool
	claimedFrom uint64
}

// resumeSeat is a resumable as one session's backend: the token that
// session's client gets first, and the messages it says it has.
type resumeSeat struct {
	*resumable
	token    string
	received uint64
	first    bool // the first session: it starts the output side and reads stderr
}

// newResumable wraps a session's new process; release frees the slots
// the first connection took. It returns the first session's backend.
func (h *Handler) newResumable(proc backend, c codec, path string, log *slog.Logger, release func(int)) resumeSeat {
	d := &resumable{h: h, proc: proc, codec: c, path: path, log: log, release: release}
	d.kept.limit = h.cfg.ResumeBuffer
	return resumeSeat{resumable: d, token: h.resumes.issue(d), first: true}
}

func (d *resumable) input(c codec, client net.Conn, log *slog.Logger) messageSink {
	return d.proc.input(c, client, log)
}

// stop ends the process: the client closed, or the server did.
func (d *resumable) stop() {
	d.h.resumes.revokeCurrent(d)
	d.proc.stop()
}

func (d *resumable) kill()    { d.proc.kill() }
func (d *resumable) pid() int { return d.proc.pid() }

// shutdown stops a detached process for a server shutting down: it is a
// live session of the Handler until it has ended. It must not take d.mu
// (the Handler calls it holding its own lock, which detach takes under
// d.mu).
func (d *resumable) shutdown() {
	d.h.resumes.revokeCurrent(d)
	go d.proc.stop()
}

// errorOutput is read by the first session, for the process's life.
func (v resumeSeat) errorOutput() *os.File {
	if v.first {
		return v.proc.errorOutput()
	}
	return nil
}

// startOutput attaches the session: the first one before the process's
// output side starts, a returning one on its own goroutine, as it is sent
// what it missed.
func (v resumeSeat) startOutput(c codec, out outbound, log *slog.Logger) {
	if v.first {
		v.attach(out, v.token, 0)
		v.proc.startOutput(c, v.resumable, log)
		return
	}
	go v.attach(out, v.token, v.received)
}

// attach makes out the session the output goes to: first the token it
// may come back with, then the messages from number from on, then the
// live ones; a session attached before is closed. If the process ended
// while none was attached, out gets its end.
func (d *resumable) attach(out outbound, token string, from uint64) {
	d.mu.Lock()
	old := d.out
	d.out = out
	if d.tracked {
		d.tracked = false
		d.h.forget(d)
	}
	missed, _ := d.kept.since(from) // claim checked it
	out.send(websocket.TextMessage, resumeMessage(token), len(missed) > 0)
	for i, m := range missed {
		out.send(m.kind, m.data, i < len(missed)-1)
	}
	d.delivered = d.kept.next()
	d.claimed = false
	ended := d.ended
	d.mu.Unlock()
	if old != nil {
		// A connection the server had not yet seen drop: the client is
		// back on another one.
		old.close(websocket.CloseGoingAway, "resumed on another connection")
		old.done(nil)
	}
	if ended != nil {
		out.done(ended)
	}
}

// resumeMessage is the first message of a resumable session.
func resumeMessage(token string) []byte {
	message, _ := json.Marshal(struct {
		Resume string `json:"resume"`
	}{token})
	return message
}

// claim readies d for a client that has the messages numbered below
// from; false when what it misses is no longer kept.
func (d *resumable) claim(from uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.kept.since(from); !ok {
		return false
	}
	d.claimed, d.claimedFrom = true, from
	return true
}

// abandon stops a process whose token was taken by a client that did
// not get its connection after all.
func (d *resumable) abandon() {
	d.h.resumes.revokeCurrent(d)
	go d.proc.stop()
}

// connectionEnded is each session's release: the slots go back with the
// last session, once the process has ended.
func (d *resumable) connectionEnded(exitCode int) {
	d.mu.Lock()
	giveBack := d.ended != nil && !d.released
	d.released = d.released || giveBack
	d.mu.Unlock()
	if giveBack {
		d.release(exitCode)
	}
}

// expire stops a detached process whose client did not come back in
// time, unless it came back with the token key as the timer fired.
func (d *resumable) expire(key [sha256.Size]byte) {
	if !d.h.resumes.revoke(d, key) {
		return
	}
	d.log.Info("closing: the client did not come back in time (--resumems)")
	d.proc.stop()
}

// detachAfter arms the expiry of a detached process (d.mu held).
func (d *resumable) detachAfter(timeout time.Duration) {
	key := d.h.resumes.current(d)
	time.AfterFunc(timeout, func() { d.expire(key) })
}
