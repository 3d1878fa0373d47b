package libwebsocketd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// The classic websocketd levels, placed on slog's scale so that slog's own
// Debug, Info and Error keep their meaning.
const (
	LevelDebug  = slog.Level(-8)
	LevelTrace  = slog.Level(-6)
	LevelAccess = slog.Level(-2)
	LevelInfo   = slog.LevelInfo
	LevelError  = slog.LevelError
	LevelFatal  = slog.Level(12)
	// LevelNone is above every level a record is logged at.
	LevelNone = slog.Level(100)
)

var levelNames = map[string]slog.Level{
	"debug": LevelDebug, "trace": LevelTrace, "access": LevelAccess,
	"info": LevelInfo, "error": LevelError, "fatal": LevelFatal, "none": LevelNone,
}

// ParseLevel turns a --loglevel name into a level.
func ParseLevel(name string) (slog.Level, error) {
	level, ok := levelNames[strings.ToLower(name)]
	if !ok {
		return 0, fmt.Errorf("unknown log level %q (want debug, trace, access, info, error, fatal or none)", name)
	}
	return level, nil
}

func levelName(level slog.Level) string {
	switch {
	case level < LevelTrace:
		return "DEBUG"
	case level < LevelAccess:
		return "TRACE"
	case level < LevelInfo:
		return "ACCESS"
	case level < LevelError:
		return "INFO"
	case level < LevelFatal:
		return "ERROR"
	}
	return "FATAL"
}

// NewLogger returns a logger writing to w in the given format ("text" is
// the classic websocketd layout, "json" is slog's JSON handler).
func NewLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	if format == "json" {
		opts := &slog.HandlerOptions{Level: level, ReplaceAttr: jsonLevelNames}
		return slog.New(&uniqueKeys{inner: slog.NewJSONHandler(w, opts)})
	}
	return slog.New(&classicHandler{out: &lockedWriter{w: w}, level: level})
}

func jsonLevelNames(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.LevelKey && len(groups) == 0 {
		if level, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(levelName(level))
		}
	}
	return a
}

// classicKeys are printed first and in this order, as the classic tool did.
var classicKeys = []string{"url", "id", "remote", "command", "origin", "pid"}

// classicHandler writes one line per record:
// <RFC1123Z time> | <LEVEL> | <category> | key:'value' ... | <message>
type classicHandler struct {
	out   *lockedWriter
	level slog.Level
	attrs []slog.Attr
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (h *classicHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level
}

func (h *classicHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clone := *h
	clone.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &clone
}

// WithGroup flattens groups: the classic layout has no nesting.
func (h *classicHandler) WithGroup(string) slog.Handler { return h }

func (h *classicHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := append([]slog.Attr(nil), h.attrs...)
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	attrs = lastOfEachKey(attrs)
	category := "server"
	values := map[string]string{}
	var extra []string
	for _, a := range attrs {
		value := oneLine(a.Value.String())
		switch {
		case a.Key == "category":
			category = value
		case slices.Contains(classicKeys, a.Key):
			values[a.Key] = value
		default:
			extra = append(extra, fmt.Sprintf("%s:'%s'", a.Key, value))
		}
	}
	var fields []string
	for _, key := range classicKeys {
		if value, ok := values[key]; ok {
			fields = append(fields, fmt.Sprintf("%s:'%s'", key, value))
		}
	}
	fields = append(fields, extra...)
	line := fmt.Sprintf("%s | %-6s | %s | %s | %s\n", r.Time.Format(time.RFC1123Z),
		levelName(r.Level), category, strings.Join(fields, " "), oneLine(r.Message))
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	_, err := io.WriteString(h.out.w, line)
	return err
}

// oneLine keeps a log record on one line whatever a client or child sent.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
