//go:build !windows

package test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A quiet client's reading goroutine stops, and the shared watcher starts
// it again when the client sends (libwebsocketd/park_watch.go). These tests
// run both modes: a process per connection, and a room.

var idleModes = []struct {
	name string
	args []string
}{
	{"per connection", []string{"cat"}},
	{"room", []string{"--room", "cat"}},
}

// goroutines reads the server's goroutine count from --metrics.
func goroutines(t testing.TB, s *server) float64 {
	t.Helper()
	_, exposition := httpGet(t, s.metricsURL()+"/metrics")
	n := metric(exposition, "go_goroutines")
	if n < 0 {
		t.Fatalf("no go_goroutines in the metrics:\n%.500s", exposition)
	}
	return n
}

// quietClients connects clients, has each do one exchange, and waits
// until the server's goroutines are back near where they started: no
// reader left per quiet client (except in the portable build, whose
// clients then go through the same pings and drops with their readers).
func quietClients(t *testing.T, s *server, count int, room bool) []*websocket.Conn {
	t.Helper()
	before := goroutines(t, s)
	clients := make([]*websocket.Conn, count)
	for i := range clients {
		clients[i] = s.dial("/")
		if !room {
			send(t, clients[i], websocket.TextMessage, fmt.Sprint("hello ", i))
			expectText(t, clients[i], fmt.Sprint("hello ", i))
		}
	}
	if room { // one line, which cat sends back to everyone
		send(t, clients[0], websocket.TextMessage, "hello room")
		for _, c := range clients {
			expectText(t, c, "hello room")
		}
	}
	if portableBuild {
		return clients // its code keeps a reader per client: nothing parks
	}
	// Without parking there would be a reader per client at least.
	limit := before + float64(count)/4
	waitFor(t, readTimeout, fmt.Sprintf("at most %.0f goroutines for %d quiet clients", limit, count),
		func() bool { return goroutines(t, s) <= limit })
	return clients
}

func TestQuietClientsParkTheirReaders(t *testing.T) {
	for _, mode := range idleModes {
		t.Run(mode.name, func(t *testing.T) {
			s := startServer(t, append([]string{"--metrics=127.0.0.1:0"}, mode.args...)...)
			room := len(mode.args) > 1
			clients := quietClients(t, s, 100, room)
			// A ping to a parked reader gets its pong, the payload intact.
			var pongs atomic.Int32
			for i, c := range clients {
				want := fmt.Sprint("are you there ", i)
				c.SetPongHandler(func(got string) error {
					if got == want {
						pongs.Add(1)
					}
					return nil
				})
				if err := c.WriteControl(websocket.PingMessage, []byte(want), time.Now().Add(readTimeout)); err != nil {
					t.Fatal(err)
				}
			}
			// Reading is what runs a client's pong handler; the next
			// message, sent after the pings, comes after the pongs.
			expectAfterPings(t, clients, room)
			if n := pongs.Load(); n != int32(len(clients)) {
				t.Fatalf("%d of %d pings to quiet clients got their pong", n, len(clients))
			}
			// Gone without a close frame: each parked reader notices, and
			// every process stops.
			for _, c := range clients {
				c.NetConn().Close()
			}
			s.waitNoChildren(readTimeout)
		})
	}
}

// expectAfterPings has each client send a message after its ping, and
// read until its own comes back: the server reads a client's frames in
// order, so its pong went out before its message reached the process. In a
// room the others' messages come too, in any order.
func expectAfterPings(t *testing.T, clients []*websocket.Conn, room bool) {
	t.Helper()
	for i, c := range clients {
		send(t, c, websocket.TextMessage, fmt.Sprint("after the pings ", i))
	}
	for i, c := range clients {
		want := fmt.Sprint("after the pings ", i)
		for {
			_, got := receive(t, c)
			if got == want {
				break
			}
			if !room {
				t.Fatalf("client %d: got %q, want %q", i, got, want)
			}
		}
	}
}

// The server's close frame at --idlems reaches a parked reader's client,
// and a client that never answers it is still let go (the wait for the
// close reply is a read deadline, which a parked reader must be woken
// for).
func TestParkedReaderClientThatNeverAnswersTheClose(t *testing.T) {
	for _, mode := range idleModes {
		t.Run(mode.name, func(t *testing.T) {
			s := startServer(t, append([]string{"--idlems=300"}, mode.args...)...)
			c := dialRaw(t, s.addr, "/")
			c.send(text("one line"))
			if ev := c.next(); ev.opcode != opText || string(ev.payload) != "one line" {
				t.Fatalf("want the echo, got opcode %#x %q (%v)", ev.opcode, ev.payload, ev.err)
			}
			ev := c.next()
			if ev.opcode != opClose || closeCode(ev.payload) != websocket.CloseNormalClosure {
				t.Fatalf("want close 1000 at the idle timeout, got opcode %#x %q (%v)", ev.opcode, ev.payload, ev.err)
			}
			c.expectEOF() // never answered, and still let go
			s.waitNoChildren(readTimeout)
		})
	}
}
