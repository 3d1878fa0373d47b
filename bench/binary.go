//go:build !windows

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// binaryMessageSize is the size of each binary message the load sends.
const binaryMessageSize = 64 << 10

// binaryLoad echoes binary messages on conns connections, depth messages
// in flight on each. What comes back may be cut differently (a pipe does
// not keep message boundaries), so it is checked and counted as a stream
// of bytes.
type binaryLoad struct {
	conns, depth, perConn int
}

// run returns the bytes echoed and the time it took.
func (l binaryLoad) run(url string) (int64, time.Duration, error) {
	clients, err := dialAll(url, l.conns)
	defer closeAll(clients)
	if err != nil {
		return 0, 0, err
	}
	var wg sync.WaitGroup
	errs := make([]error, l.conns)
	start := time.Now()
	for i, c := range clients {
		wg.Go(func() { errs[i] = l.echoOne(c) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return 0, 0, err
		}
	}
	return int64(l.conns) * int64(l.perConn) * binaryMessageSize, elapsed, nil
}

func (l binaryLoad) echoOne(c *clientConn) error {
	w := newWindow(l.depth)
	out := make([]byte, binaryMessageSize)
	wrote := make(chan error, 1)
	go func() {
		wrote <- writeWindowed(c, websocket.BinaryMessage, l.perConn, w, func(i int) []byte {
			return fillBinary(out, i)
		})
	}()
	err := l.readAll(c, w)
	w.stop()
	if err != nil {
		c.Close()
		<-wrote
		return err
	}
	return <-wrote
}

// readAll reads until every byte sent is back, checking each against what
// was sent at that offset of the stream.
func (l binaryLoad) readAll(c *clientConn, w *window) error {
	total := int64(l.perConn) * binaryMessageSize
	want := make([]byte, binaryMessageSize)
	var got bytes.Buffer
	for offset := int64(0); offset < total; {
		c.SetReadDeadline(time.Now().Add(stallTimeout))
		messageType, r, err := c.NextReader()
		if err != nil {
			return fmt.Errorf("at byte %d of %d: %w", offset, total, err)
		}
		got.Reset()
		if _, err := got.ReadFrom(r); err != nil {
			return fmt.Errorf("at byte %d of %d: %w", offset, total, err)
		}
		if messageType != websocket.BinaryMessage {
			return fmt.Errorf("at byte %d: got a message of type %d", offset, messageType)
		}
		before := offset / binaryMessageSize
		for chunk := got.Bytes(); len(chunk) > 0; {
			i, at := offset/binaryMessageSize, offset%binaryMessageSize
			n := min(int64(len(chunk)), binaryMessageSize-at)
			if !bytes.Equal(chunk[:n], fillBinary(want, int(i))[at:at+n]) {
				return fmt.Errorf("bytes %d to %d came back damaged", offset, offset+n)
			}
			chunk, offset = chunk[n:], offset+n
		}
		if done := offset/binaryMessageSize - before; done > 0 {
			w.returned(int(done))
		}
	}
	return nil
}

// fillBinary makes message i in p: its number, then bytes that vary with
// their position (all odd, so a zero byte means not filled yet).
func fillBinary(p []byte, i int) []byte {
	binary.BigEndian.PutUint64(p, uint64(i))
	if p[len(p)-1] == 0 { // the tail, the same in every message, is not filled yet
		for j := 8; j < len(p); j++ {
			p[j] = byte(j*7+j>>8) | 1
		}
	}
	return p
}
