//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// churn opens total connections, parallel at a time, each for one round
// trip, and returns how long it took until the last one's process was
// reaped by the server (pid), so that a server that leaves its children to
// pile up is not credited for it.
func churn(url string, server, total, parallel int) (time.Duration, error) {
	var mu sync.Mutex
	left := total
	take := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if left == 0 {
			return false
		}
		left--
		return true
	}
	errs := make(chan error, parallel)
	start := time.Now()
	for range parallel {
		go func() {
			for take() {
				if err := roundTripOnce(url); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range parallel {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	if err := waitNoChildren(server, stallTimeout); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// roundTripOnce connects, sends one message, reads it back and closes.
func roundTripOnce(url string) error {
	c, err := dial(url)
	if err != nil {
		return err
	}
	defer c.closeNow()
	return roundTrip(c, "ping")
}

func roundTrip(c *clientConn, message string) error {
	if err := c.WriteMessage(websocket.TextMessage, []byte(message)); err != nil {
		return err
	}
	c.SetReadDeadline(time.Now().Add(stallTimeout))
	_, got, err := c.ReadMessage()
	if err != nil {
		return err
	}
	if !bytes.Equal(got, []byte(message)) {
		return fmt.Errorf("sent %q, got %q back", message, got)
	}
	return nil
}
