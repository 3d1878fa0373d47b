package libwebsocketd

import (
	"bytes"
	"strings"
	"testing"
)

func TestHTTPErrorLogLevels(t *testing.T) {
	var out bytes.Buffer
	logger := httpErrorLog(NewLogger(&out, LevelInfo, "text"))
	logger.Print("http: TLS handshake error from 1.2.3.4:5: EOF")
	if out.Len() != 0 {
		t.Fatalf("a client's handshake error was logged above debug: %q", out.String())
	}
	logger.Print("http: Accept error: accept tcp: too many open files; retrying in 5ms")
	if !strings.Contains(out.String(), "| ERROR  | http |") || !strings.Contains(out.String(), "too many open files") {
		t.Fatalf("accept error not logged at error level: %q", out.String())
	}
}
