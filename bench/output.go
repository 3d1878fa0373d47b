//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// readLines reads the lines 1 to n, one message each, then the close frame
// (1000), as `seq n` behind websocketd sends them, and returns how long it
// took from the dial on.
func readLines(url string, n int) (time.Duration, error) {
	start := time.Now()
	c, err := dial(url)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	var want []byte
	var got bytes.Buffer
	for i := 1; ; i++ {
		if i%1024 == 1 {
			c.SetReadDeadline(time.Now().Add(stallTimeout))
		}
		_, r, err := c.NextReader()
		var closed *websocket.CloseError
		if errors.As(err, &closed) && closed.Code == websocket.CloseNormalClosure && i == n+1 {
			return time.Since(start), nil
		}
		if err != nil {
			return 0, fmt.Errorf("after %d of %d lines: %w", i-1, n, err)
		}
		got.Reset()
		if _, err := got.ReadFrom(r); err != nil {
			return 0, fmt.Errorf("line %d: %w", i, err)
		}
		want = strconv.AppendInt(want[:0], int64(i), 10)
		if !bytes.Equal(got.Bytes(), want) {
			return 0, fmt.Errorf("line %d came as %q", i, got.Bytes())
		}
	}
}
