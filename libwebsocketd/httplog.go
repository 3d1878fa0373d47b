package libwebsocketd

import (
	"context"
	"log"
	"log/slog"
	"strings"
)

// httpErrorLog routes net/http's own messages into our log. Most are
// about one client (TLS handshake failures, malformed requests) and go to
// debug; an accept error means the server itself is short of something,
// usually file descriptors, and must be seen: it goes to error.
func httpErrorLog(logger *slog.Logger) *log.Logger {
	return log.New(httpLogWriter{logger}, "", 0)
}

type httpLogWriter struct{ logger *slog.Logger }

func (w httpLogWriter) Write(p []byte) (int, error) {
	message := strings.TrimSpace(string(p))
	level := LevelDebug
	if strings.Contains(message, "Accept error") {
		level = LevelError
	}
	w.logger.Log(context.Background(), level, message, "category", "http")
	return len(p), nil
}
