package libwebsocketd

import (
	"context"
	"log/slog"
)

// uniqueKeys wraps a handler so that each key appears once in a record,
// the last value given winning. A session's logger carries
// category "session", and its stderr lines say category "stderr" again:
// slog's JSON handler would write both, and strict JSON parsers
// (Elasticsearch among them) reject a record with a key twice.
type uniqueKeys struct {
	inner slog.Handler
	// attrs are those given since the last group was opened; they are
	// held back, not handed to inner, so that a record's own attributes
	// can still replace them.
	attrs []slog.Attr
}

func (h *uniqueKeys) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *uniqueKeys) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &uniqueKeys{inner: h.inner, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

// WithGroup hands the attributes so far to inner: keys inside the group
// are another namespace, in which keys are kept unique in turn.
func (h *uniqueKeys) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &uniqueKeys{inner: h.inner.WithAttrs(lastOfEachKey(h.attrs)).WithGroup(name)}
}

func (h *uniqueKeys) Handle(ctx context.Context, r slog.Record) error {
	attrs := make([]slog.Attr, 0, len(h.attrs)+r.NumAttrs())
	attrs = append(attrs, h.attrs...)
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	unique := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	unique.AddAttrs(lastOfEachKey(attrs)...)
	return h.inner.Handle(ctx, unique)
}

// lastOfEachKey keeps one attribute per key, in the place of its first
// appearance with the value of its last. The key slog reserves for the
// record itself (time, level, msg) are renamed, so that an attribute can
// never pose as them. Attributes without a key (inlined groups) are kept.
func lastOfEachKey(attrs []slog.Attr) []slog.Attr {
	index := make(map[string]int, len(attrs))
	kept := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		switch a.Key {
		case "":
			kept = append(kept, a)
			continue
		case slog.TimeKey, slog.LevelKey, slog.MessageKey, slog.SourceKey:
			a.Key = "attr_" + a.Key
		}
		if i, seen := index[a.Key]; seen {
			kept[i] = a
			continue
		}
		index[a.Key] = len(kept)
		kept = append(kept, a)
	}
	return kept
}
