package libwebsocketd

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
)

// sessionLabel is a session's log handler: what each of its lines says
// of it (the URL, the session's id, the client's address, what serves
// it, the origin, the room and pid), kept as it came and made into log
// attributes only for a line that is written. A session lives long and
// mostly says nothing: a logger made with With holds its attributes,
// copied, for its whole life (~0.35 KB), this one about half of that.
type sessionLabel struct {
	server  slog.Handler // the server's handler, which writes the lines
	url     string
	id      string
	remote  string
	origin  string
	command []string // what serves the session: a program's command line
	connect string   // or, with --connect, a service's address
	room    string   // the room's key, for a seat in a room
	pid     int      // the process's; noPid while it has none
}

// newSessionLabel names the session id of request r, served by argv.
func (h *Handler) newSessionLabel(r *http.Request, id string, argv []string) *sessionLabel {
	return &sessionLabel{server: h.log.Handler(), url: requestURL(r), id: id,
		remote: r.RemoteAddr, origin: r.Header.Get("Origin"), command: argv, pid: noPid}
}

// noPid is a sessionLabel's pid before its process is known: its lines
// then name none.
const noPid = -1

// logger is a session's logger, labelled with l. l must not change from
// then on: the logger may be used on any goroutine.
func (l *sessionLabel) logger() *slog.Logger { return slog.New(l) }

// attrs are l as the log attributes that a logger made with With would
// have held, in the same order.
func (l *sessionLabel) attrs() []slog.Attr {
	served := slog.String("command", strings.Join(l.command, " "))
	if l.connect != "" {
		served = slog.String("connect", l.connect)
	}
	attrs := append(make([]slog.Attr, 0, 8), slog.String("category", "session"),
		slog.String("url", l.url), slog.String("id", l.id), slog.String("remote", l.remote),
		served, slog.String("origin", l.origin))
	if l.room != "" {
		attrs = append(attrs, slog.String("room", l.room))
	}
	if l.pid != noPid {
		attrs = append(attrs, slog.Int("pid", l.pid))
	}
	return attrs
}

func (l *sessionLabel) labelled() slog.Handler { return l.server.WithAttrs(l.attrs()) }

// Enabled asks the server's handler, so that a line below the log level
// costs no attributes.
func (l *sessionLabel) Enabled(ctx context.Context, level slog.Level) bool {
	return l.server.Enabled(ctx, level)
}

func (l *sessionLabel) Handle(ctx context.Context, r slog.Record) error {
	return l.labelled().Handle(ctx, r)
}

func (l *sessionLabel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return l.labelled().WithAttrs(attrs)
}

func (l *sessionLabel) WithGroup(name string) slog.Handler {
	return l.labelled().WithGroup(name)
}
