//go:build unix

package libwebsocketd

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestOutputHeldOutsideGroupEnds: the child exits, but a process it put in
// a session of its own keeps stdout open, so stdout never ends. Once the
// client leaves, the stop sequence must still end the session: with no
// goroutine waiting on stdout, closing the pipe alone would not wake
// anything (see outputStream.abandon).
func TestOutputHeldOutsideGroupEnds(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("needs setsid")
	}
	h, err := NewHandler(Config{Command: []string{"sh", "-c", "setsid sleep 60 & echo $!"}},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer func() {
		if t.Failed() {
			return // the session cannot end: Shutdown would wait for ever
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.Shutdown(ctx)
	}()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	holder, err := strconv.Atoi(string(data))
	if err != nil {
		t.Fatalf("want the holder's pid, got %q", data)
	}
	defer syscall.Kill(holder, syscall.SIGKILL)
	c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for h.liveSessions() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the session did not end while stdout was held open outside its group")
		}
		time.Sleep(10 * time.Millisecond) // polling another process's doing
	}
}

func (h *Handler) liveSessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// TestChildExitingAtOnceIsReported: a child whose output ends before its
// session has finished starting; its pipes are reported by the watcher
// while they are being added (run with -race).
func TestChildExitingAtOnceIsReported(t *testing.T) {
	h, err := NewHandler(Config{Command: []string{"sh", "-c", "echo out; echo err >&2"}},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 20 {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		if _, data, err := c.ReadMessage(); err != nil || string(data) != "out" {
			t.Fatalf("got %q, %v; want out", data, err)
		}
		var closeErr *websocket.CloseError
		if _, _, err := c.ReadMessage(); !errors.As(err, &closeErr) || closeErr.Code != 1000 {
			t.Fatalf("got %v, want close 1000", err)
		}
		c.Close()
	}
}
