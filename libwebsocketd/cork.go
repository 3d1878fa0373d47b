package libwebsocketd

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// corkLimit is the most a connection holds back before it writes.
const corkLimit = 32 << 10

// corkFlushTimeout bounds the last write of held frames when the
// connection closes.
const corkFlushTimeout = 100 * time.Millisecond

// corkBuffers lend the held bytes their buffer only while something is
// held: an idle connection holds none.
var corkBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, corkLimit)
	return &b
}}

// wireConn is the WebSocket connection under gorilla (see hijack.go).
// Frames written while it holds are kept back and leave together with the
// next write that does not hold, so a burst of messages costs one system
// call instead of one each. Any write outside a burst (a ping, a close
// frame, a pong from another goroutine) first sends what is held, so the
// order of frames never changes.
//
// A room's frames, built once for all its clients, come as they are
// (writeFrames), past gorilla, which then writes only control frames.
type wireConn struct {
	net.Conn
	mu      sync.Mutex
	holding bool
	held    *[]byte // pooled; nil while nothing is held
	// closeSent: a close frame went out. No frame may follow it (RFC 6455
	// section 5.5.1); gorilla sees to that for its own, but it also
	// sends some by itself (a reply to the client's, a protocol error).
	closeSent bool
	// filled: a read took all the room it was given, so the client
	// sends in bulk (readbuffer.go). Only the socket's reader reads.
	filled atomic.Bool
	// unread: bytes read already, which the next Read returns first: a
	// read buffer's content moving to a bigger one (growReadBuffer).
	unread []byte
}

// Read notes a read that filled all it was given.
func (c *wireConn) Read(p []byte) (int, error) {
	if len(c.unread) > 0 {
		n := copy(p, c.unread)
		c.unread = c.unread[n:]
		return n, nil
	}
	n, err := c.Conn.Read(p)
	if n > 0 && n == len(p) {
		c.filled.Store(true)
	}
	return n, err
}

// readFilled reports whether a read has filled all it was given since
// forgetReadFilled.
func (c *wireConn) readFilled() bool { return c.filled.Load() }

func (c *wireConn) forgetReadFilled() { c.filled.Store(false) }

// hold makes the following writes wait (true) or go out (false).
func (c *wireConn) hold(on bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.holding = on
	c.mu.Unlock()
}

func (c *wireConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeSent = c.closeSent || isCloseFrame(p)
	if c.held == nil {
		if !c.holding {
			return c.Conn.Write(p)
		}
		c.held = corkBuffers.Get().(*[]byte)
	}
	if len(*c.held)+len(p) <= corkLimit {
		*c.held = append(*c.held, p...)
		if c.holding {
			return len(p), nil
		}
		return len(p), c.flushLocked()
	}
	// Too big to hold: one vectored write sends what is held and p.
	heldLen := len(*c.held)
	bufs := net.Buffers{*c.held, p}
	n, err := bufs.WriteTo(c.Conn)
	c.release()
	return max(0, int(n)-heldLen), err
}

// writeFrames sends frames, which are whole, after what is held, in one
// system call where the connection allows (writev). The write is bounded
// by bound() (boundWrite).
func (c *wireConn) writeFrames(frames net.Buffers, bound func() time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		c.flushLocked()
		return websocket.ErrCloseSent
	}
	c.boundWrite(bound)
	if c.held != nil {
		frames = append(net.Buffers{*c.held}, frames...)
		defer c.release()
	}
	_, err := frames.WriteTo(c.Conn)
	return err
}

// writeFrame frames one data message itself, past gorilla, after what is
// held: with more it is held too, else all goes out in one write (a
// vectored one for a payload too big to hold). Framing here costs no
// lock or deadline per message, as gorilla's WriteMessage does; the
// deadline is set once per write to the network, from bound.
func (c *wireConn) writeFrame(kind int, payload []byte, more bool, bound func() time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		c.flushLocked()
		return websocket.ErrCloseSent
	}
	if c.held == nil {
		c.held = corkBuffers.Get().(*[]byte)
	}
	*c.held = appendFrameHeader(*c.held, kind, len(payload))
	fits := len(*c.held)+len(payload) <= corkLimit
	if fits {
		*c.held = append(*c.held, payload...)
	}
	if fits && more {
		return nil
	}
	c.boundWrite(bound)
	if fits {
		return c.flushLocked()
	}
	bufs := net.Buffers{*c.held, payload}
	_, err := bufs.WriteTo(c.Conn)
	c.release()
	return err
}

// boundWrite sets the deadline of the write to come from bound(), looked
// at again once set: a limitWrites that came meanwhile must not be undone.
func (c *wireConn) boundWrite(bound func() time.Time) {
	by := bound()
	c.Conn.SetWriteDeadline(by)
	if again := bound(); !again.Equal(by) {
		c.Conn.SetWriteDeadline(again)
	}
}

// isCloseFrame reports whether p is a whole close frame as gorilla writes
// a server's, in one write: final, opcode 8, unmasked, the payload's
// length in the second byte (a control frame's is at most 125).
func isCloseFrame(p []byte) bool {
	return len(p) >= 2 && p[0] == 0x80|websocket.CloseMessage && int(p[1]) == len(p)-2
}

// flush sends whatever is held.
func (c *wireConn) flush() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *wireConn) flushLocked() error {
	if c.held == nil {
		return nil
	}
	_, err := c.Conn.Write(*c.held)
	c.release()
	return err
}

func (c *wireConn) release() {
	*c.held = (*c.held)[:0]
	corkBuffers.Put(c.held)
	c.held = nil
}

// Close sends what is held, unless a write is under way (it may be stuck
// on a client that does not read, and closing is what frees it), then
// closes the connection.
func (c *wireConn) Close() error {
	if c.mu.TryLock() {
		if c.held != nil {
			c.Conn.SetWriteDeadline(time.Now().Add(corkFlushTimeout))
			c.flushLocked()
		}
		c.mu.Unlock()
	}
	return c.Conn.Close()
}

// NetConn returns the connection underneath, as tls.Conn does.
func (c *wireConn) NetConn() net.Conn { return c.Conn }
