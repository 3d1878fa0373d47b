//go:build !windows

package main

import (
	"fmt"
	"sync"
)

// idleGrowth opens count connections to a server (pid), proves each live
// with a round trip, and returns how much the server's own resident memory
// grew per connection, in bytes. One connection is opened and closed
// first, so that what every server does once (its first handshake, the
// code it runs for it) is not counted.
func idleGrowth(url string, pid, count int) (float64, error) {
	if err := roundTripOnce(url); err != nil {
		return 0, err
	}
	if err := waitNoChildren(pid, stallTimeout); err != nil {
		return 0, err
	}
	before, err := readRSS(pid)
	if err != nil {
		return 0, err
	}
	clients, err := openIdle(url, count)
	defer func() {
		for _, c := range clients {
			c.closeNow()
		}
	}()
	if err != nil {
		return 0, err
	}
	after, err := readRSS(pid)
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(count), nil
}

// openIdle opens count connections, a few at a time, each proven live by a
// round trip.
func openIdle(url string, count int) ([]*clientConn, error) {
	const parallel = 4
	var mu sync.Mutex
	var clients []*clientConn
	var firstErr error
	var wg sync.WaitGroup
	for p := range parallel {
		wg.Go(func() {
			for i := p; i < count; i += parallel {
				c, err := dial(url)
				if err == nil {
					err = roundTrip(c, fmt.Sprint("idle ", i))
				}
				mu.Lock()
				if c != nil {
					clients = append(clients, c)
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				stop := firstErr != nil
				mu.Unlock()
				if stop {
					return
				}
			}
		})
	}
	wg.Wait()
	return clients, firstErr
}
