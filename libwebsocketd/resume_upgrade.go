package libwebsocketd

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
)

// DefaultResumeBuffer bounds a resumable process's kept output when
// Config.ResumeBuffer is not set.
const DefaultResumeBuffer = 1 << 20

// checkResume refuses what --resumems cannot serve: a process kept for a
// client needs a process of its own, whose stderr is not the client's.
func checkResume(cfg Config) error {
	if cfg.ResumeTimeout < 0 || cfg.ResumeBuffer < 0 {
		return errors.New("ResumeTimeout and ResumeBuffer cannot be negative")
	}
	if cfg.ResumeTimeout > 0 && (cfg.Room != "" || cfg.Connect != "" || cfg.PassStderr || cfg.Once) {
		return errors.New("ResumeTimeout cannot be combined with Room, Connect, PassStderr or Once")
	}
	return nil
}

// resumeQuery is what a request says of resuming: ?resume=1 asks for a
// resumable session, ?resume=TOKEN&received=N comes back to one with N
// of its output messages.
type resumeQuery struct {
	wanted   bool   // resume=1
	token    string // a returning client's token
	received uint64
}

// errBadReceived refuses a returning client that does not say how much
// of the output it has.
var errBadReceived = errors.New("resume=TOKEN needs received=N, the number of output messages the client has")

func parseResumeQuery(q url.Values) (resumeQuery, error) {
	switch token := q.Get("resume"); token {
	case "":
		return resumeQuery{}, nil
	case "1":
		return resumeQuery{wanted: true}, nil
	default:
		received, err := strconv.ParseUint(q.Get("received"), 10, 64)
		if err != nil {
			return resumeQuery{}, errBadReceived
		}
		return resumeQuery{token: token, received: received}, nil
	}
}

// resumeRequested reads the resume parameters of an upgrade request; a
// server without --resumems ignores them.
func (h *Handler) resumeRequested(r *http.Request) (resumeQuery, error) {
	if h.resumes == nil {
		return resumeQuery{}, nil
	}
	return parseResumeQuery(r.URL.Query())
}

// serveResume gives a returning client its process back, or refuses it
// before the upgrade: an unknown, used or expired token gets 404, and
// never a new session. No slot is taken: the first connection's are held
// until the process ends.
func (h *Handler) serveResume(w http.ResponseWriter, r *http.Request, q resumeQuery) {
	if err := h.checkOrigin(r); err != nil {
		h.refuse(w, r, http.StatusForbidden, err.Error())
		return
	}
	protocol, err := h.chooseSubprotocol(r)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, err.Error())
		return
	}
	d := h.resumes.take(q.token, r.URL.Path)
	if d == nil {
		h.refuse(w, r, http.StatusNotFound, "unknown or expired resume token")
		return
	}
	if !d.claim(q.received) {
		d.abandon()
		h.refuse(w, r, http.StatusNotFound, "the output the client misses is no longer kept")
		return
	}
	up := &upgradeWriter{ResponseWriter: w}
	conn, err := h.upgrader.Upgrade(up, r, h.upgradeHeaders(protocol))
	if err != nil {
		d.abandon()
		h.log.Log(r.Context(), LevelAccess, "upgrade failed", "category", "http",
			"url", requestURL(r), "remote", r.RemoteAddr, "error", err)
		return
	}
	answeredUpgrade(w)
	seat := resumeSeat{resumable: d, token: h.resumes.issue(d), received: q.received}
	log := d.log.With("resumed_from", r.RemoteAddr) // the first connection's id and pid
	h.openSession(conn, up.hijacked, log, seat, d.codec, d.connectionEnded)
}
