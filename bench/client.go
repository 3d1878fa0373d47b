//go:build !windows

package main

import (
	"bufio"
	"context"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// dialTimeout bounds one WebSocket handshake of the load client.
const dialTimeout = 10 * time.Second

// clientConn is the load client's end of one connection. The client is
// the same for websocketd and the ceilings; it batches its writes (see
// corkedConn) so that it is not the first thing to run out of CPU.
type clientConn struct {
	*websocket.Conn
	cork *corkedConn
}

func dial(url string) (*clientConn, error) { return dialWith(url, false) }

// dialWith dials, offering permessage-deflate when compress is set.
func dialWith(url string, compress bool) (*clientConn, error) {
	var cork *corkedConn
	dialer := websocket.Dialer{
		HandshakeTimeout:  dialTimeout,
		EnableCompression: compress,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			cork = &corkedConn{Conn: conn}
			return cork, nil
		},
	}
	conn, _, err := dialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	return &clientConn{Conn: conn, cork: cork}, nil
}

// writeBatch writes messages with as few system calls as the buffer
// allows: one frame per message, all handed to the kernel together.
func (c *clientConn) writeBatch(messageType int, messages func(yield func([]byte) bool)) error {
	c.cork.corked(true)
	var err error
	for message := range messages {
		if err = c.WriteMessage(messageType, message); err != nil {
			break
		}
	}
	if flushErr := c.cork.corked(false); err == nil {
		err = flushErr
	}
	return err
}

// closeNow sends a close frame and drops the connection without waiting
// for the answer.
func (c *clientConn) closeNow() {
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
	c.Close()
}

// corkedConn holds writes back while corked and sends them in one go when
// uncorked. Uncorked (as during the handshake) it writes straight through.
type corkedConn struct {
	net.Conn
	mu     sync.Mutex
	isOn   bool
	buffer *bufio.Writer // made at the first cork
}

const corkBufferSize = 64 << 10

func (c *corkedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isOn {
		return c.buffer.Write(p)
	}
	return c.Conn.Write(p)
}

func (c *corkedConn) corked(on bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buffer == nil {
		c.buffer = bufio.NewWriterSize(c.Conn, corkBufferSize)
	}
	c.isOn = on
	if on {
		return nil
	}
	return c.buffer.Flush()
}

// dialAll opens n connections to url; on error it returns those it opened
// so that the caller closes them all the same.
func dialAll(url string, n int) ([]*clientConn, error) { return dialAllWith(url, n, false) }

func dialAllWith(url string, n int, compress bool) ([]*clientConn, error) {
	clients := make([]*clientConn, 0, n)
	for range n {
		c, err := dialWith(url, compress)
		if err != nil {
			return clients, err
		}
		clients = append(clients, c)
	}
	return clients, nil
}

// dialAcross opens n connections, the i-th to urls[i % len(urls)]; on
// error it returns those it opened, as dialAll does.
func dialAcross(urls []string, n int) ([]*clientConn, error) {
	clients := make([]*clientConn, 0, n)
	for i := range n {
		c, err := dial(urls[i%len(urls)])
		if err != nil {
			return clients, err
		}
		clients = append(clients, c)
	}
	return clients, nil
}

func closeAll(clients []*clientConn) {
	for _, c := range clients {
		c.closeNow()
	}
}
