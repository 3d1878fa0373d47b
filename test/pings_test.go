//go:build !windows

package test

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// --pingms: the server pings every client; one that never answers is
// dropped with its process, one that answers keeps its session.

func TestPingsDropSilentClient(t *testing.T) {
	const interval = 100 * time.Millisecond
	s := startServer(t, "--pingms=100", "cat")
	c := s.dial("/") // never read, so never answers a ping
	pid := onlyChild(t, s)
	// Dead after 2 intervals; the rest of the bound is slack for a loaded
	// machine, not an expectation.
	waitFor(t, 2*interval+10*time.Second, "the silent client's process to end", func() bool {
		return !alive(pid)
	})
	c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		_, _, err := c.ReadMessage()
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			t.Fatal("the server did not close the silent client's connection")
		}
		if err != nil {
			break
		}
	}
	s.waitNoChildren(readTimeout)
}

func TestPingsKeepHealthyClient(t *testing.T) {
	// A pong may come up to one interval late and still be in time: 100 ms
	// leaves room for a loaded machine.
	s := startServer(t, "--pingms=100", "cat")
	c := s.dial("/")
	pid := onlyChild(t, s)
	var pings atomic.Int32
	c.SetPingHandler(func(data string) error {
		pings.Add(1)
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(readTimeout))
	})
	messages := make(chan string, 1)
	go func() { // reading is what answers the pings
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				close(messages)
				return
			}
			messages <- string(data)
		}
	}()
	waitFor(t, readTimeout, "ten pings", func() bool { return pings.Load() >= 10 })
	send(t, c, websocket.TextMessage, "still alive")
	select {
	case got, ok := <-messages:
		if !ok || got != "still alive" {
			t.Fatalf("after ten pings the echo gave %q (open: %v)", got, ok)
		}
	case <-time.After(readTimeout):
		t.Fatal("no echo after ten pings")
	}
	if !alive(pid) {
		t.Fatal("the healthy client's process ended")
	}
}
