//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// stallTimeout is how long a reader waits for any progress before it
// declares the server stalled.
const stallTimeout = 30 * time.Second

// echoLoad is one closed-loop echo run: conns connections, each with
// depth messages of size bytes in flight, perConn messages each.
type echoLoad struct {
	conns, depth, size, perConn int
	compress                    bool // offer permessage-deflate
}

// echoResult is what the load saw: every message came back intact and in
// order, or the run is an error.
type echoResult struct {
	messages  int
	elapsed   time.Duration
	latencies []time.Duration // send to receipt, of every message
}

func (r echoResult) rate() float64 { return float64(r.messages) / r.elapsed.Seconds() }

// percentile returns the p-th percentile (0 < p < 1) of the latencies.
func (r echoResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(p*float64(len(r.latencies)-1))]
}

// run dials every connection first, then starts them together; the clock
// runs from the start until the last message is back.
func (l echoLoad) run(url string) (echoResult, error) {
	clients, err := dialAllWith(url, l.conns, l.compress)
	defer closeAll(clients)
	if err != nil {
		return echoResult{}, err
	}
	var wg sync.WaitGroup
	latencies := make([][]time.Duration, l.conns)
	errs := make([]error, l.conns)
	start := time.Now()
	for i, c := range clients {
		wg.Go(func() { latencies[i], errs[i] = l.echoOne(c, start) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return echoResult{}, err
		}
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	return echoResult{messages: len(all), elapsed: elapsed, latencies: all}, nil
}

// echoOne drives one connection: a writer goroutine keeps the window full
// while this goroutine reads and checks every message.
func (l echoLoad) echoOne(c *clientConn, start time.Time) ([]time.Duration, error) {
	w := newWindow(l.depth)
	sentAt := make([]atomic.Int64, l.perConn) // ns after start
	out := make([]byte, l.size)
	wrote := make(chan error, 1)
	go func() {
		wrote <- writeWindowed(c, websocket.TextMessage, l.perConn, w, func(i int) []byte {
			sentAt[i].Store(int64(time.Since(start)))
			return fillPayload(out, i)
		})
	}()
	latencies, err := l.readAll(c, w, sentAt, start)
	w.stop()
	if err != nil {
		c.Close() // unblocks a writer stuck on a full socket
		<-wrote
		return nil, err
	}
	return latencies, <-wrote
}

func (l echoLoad) readAll(c *clientConn, w *window, sentAt []atomic.Int64, start time.Time) ([]time.Duration, error) {
	latencies := make([]time.Duration, l.perConn)
	want := make([]byte, l.size)
	var got bytes.Buffer
	for i := range l.perConn {
		if i%1024 == 0 {
			c.SetReadDeadline(time.Now().Add(stallTimeout))
		}
		messageType, r, err := c.NextReader()
		if err != nil {
			return nil, fmt.Errorf("message %d of %d: %w", i, l.perConn, err)
		}
		got.Reset()
		if _, err := got.ReadFrom(r); err != nil {
			return nil, fmt.Errorf("message %d of %d: %w", i, l.perConn, err)
		}
		latencies[i] = time.Since(start) - time.Duration(sentAt[i].Load())
		if messageType != websocket.TextMessage || !bytes.Equal(got.Bytes(), fillPayload(want, i)) {
			return nil, fmt.Errorf("message %d came back as %q (type %d), want %q",
				i, got.Bytes(), messageType, want)
		}
		w.returned(1)
	}
	return latencies, nil
}

// fillPayload makes message i in p: its number, then letters that depend on
// it, so a lost, duplicated, reordered or damaged message is noticed.
func fillPayload(p []byte, i int) []byte {
	digits := strconv.AppendInt(p[:0], int64(i), 10)
	n := len(digits)
	for j := n; j < len(p); j++ {
		p[j] = 'a' + byte((i+j)%26)
	}
	return p
}
