//go:build !windows

package main

import (
	"errors"
	"sync/atomic"
)

// errStopped ends a writer whose reader has given up.
var errStopped = errors.New("stopped: the reading side failed")

// window keeps a connection's writer at most depth messages ahead of what
// has come back, the way a client with a fixed number of requests in
// flight behaves.
type window struct {
	depth int
	back  atomic.Int64  // messages echoed back in full
	wake  chan struct{} // a writer waiting for room
	quit  chan struct{} // closed when the reader stops
}

func newWindow(depth int) *window {
	return &window{depth: depth, wake: make(chan struct{}, 1), quit: make(chan struct{})}
}

// returned records k more messages back and lets the writer go on.
func (w *window) returned(k int) {
	w.back.Add(int64(k))
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// stop tells the writer that nothing more will come back.
func (w *window) stop() { close(w.quit) }

// limit waits until message number sent may go out and returns how many
// messages (of total) may be out by now.
func (w *window) limit(sent, total int) (int, error) {
	for {
		limit := min(int(w.back.Load())+w.depth, total)
		if limit > sent {
			return limit, nil
		}
		select {
		case <-w.wake:
		case <-w.quit:
			return 0, errStopped
		}
	}
}

// writeWindowed sends total messages on c, each made by message(i), in
// batches as large as the window allows.
func writeWindowed(c *clientConn, messageType, total int, w *window, message func(i int) []byte) error {
	for next := 0; next < total; {
		limit, err := w.limit(next, total)
		if err != nil {
			return err
		}
		err = c.writeBatch(messageType, func(yield func([]byte) bool) {
			for ; next < limit; next++ {
				if !yield(message(next)) {
					return
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
