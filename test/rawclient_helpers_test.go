//go:build !windows

package test

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	endian "encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// The raw-frame client: a WebSocket client that sends frames exactly as
// the test builds them (any opcode, RSV bits, FIN, mask, length) and reads
// the server's frames as they are, so the tests can break the protocol on
// purpose, which no well-kept client library lets them do. It is the one
// frame builder of the black-box tests: a test states a frame as a frame
// value (text, part, control and closeWith for the usual ones) and
// frame.encode alone puts it into bytes, with its length and mask.

// Opcodes of RFC 6455 section 5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// frame is one WebSocket frame. By default a client frame is masked, as
// RFC 6455 requires; unmasked sends it bare.
type frame struct {
	fin      bool
	rsv      byte // the three RSV bits, as 0..7
	opcode   byte
	payload  []byte
	unmasked bool
}

// text is a whole text message in one frame.
func text(s string) frame { return frame{fin: true, opcode: opText, payload: []byte(s)} }

// part is a fragment of a message: the first one carries the opcode, the
// others are continuations; the last has FIN.
func part(opcode byte, s string, fin bool) frame {
	return frame{fin: fin, opcode: opcode, payload: []byte(s)}
}

// control is a control frame (close, ping, pong), which is always final.
func control(opcode byte, payload []byte) frame {
	return frame{fin: true, opcode: opcode, payload: payload}
}

// closeWith is a close frame with a code and a reason.
func closeWith(code int, reason string) frame {
	return control(opClose, closePayload(code, reason))
}

// rawConn is a WebSocket connection driven frame by frame.
type rawConn struct {
	t    testing.TB
	conn net.Conn
	in   *bufio.Reader
}

// websocketGUID is the fixed key suffix of RFC 6455 section 1.3.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// dialRaw opens a TCP connection to addr and performs the opening
// handshake for path, checking the server's 101 and Sec-WebSocket-Accept.
func dialRaw(t testing.TB, addr, path string) *rawConn {
	t.Helper()
	return dialRawWith(t, &net.Dialer{Timeout: readTimeout}, addr, path)
}

// dialRawWith is dialRaw through a dialer of the test's own.
func dialRawWith(t testing.TB, dialer *net.Dialer, addr, path string) *rawConn {
	t.Helper()
	conn, err := dialer.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	key := base64.StdEncoding.EncodeToString(randomBytes(16))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"+
		"Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		path, addr, key)
	c := &rawConn{t: t, conn: conn, in: bufio.NewReader(conn)}
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	resp, err := http.ReadResponse(c.in, nil)
	if err != nil {
		t.Fatalf("reading the handshake response: %v", err)
	}
	resp.Body.Close()
	sum := sha1.Sum([]byte(key + websocketGUID))
	if resp.StatusCode != http.StatusSwitchingProtocols ||
		resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("handshake answered %s with accept %q", resp.Status, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	return c
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// encode returns the frame's bytes on the wire.
func (f frame) encode() []byte {
	first := f.rsv<<4 | f.opcode&0x0f
	if f.fin {
		first |= 0x80
	}
	out := []byte{first}
	maskBit := byte(0x80)
	if f.unmasked {
		maskBit = 0
	}
	switch n := len(f.payload); {
	case n < 126:
		out = append(out, maskBit|byte(n))
	case n <= 0xffff:
		out = append(out, maskBit|126)
		out = endian.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, maskBit|127)
		out = endian.BigEndian.AppendUint64(out, uint64(n))
	}
	if f.unmasked {
		return append(out, f.payload...)
	}
	mask := randomBytes(4)
	out = append(out, mask...)
	start := len(out)
	out = append(out, f.payload...)
	for i := range f.payload {
		out[start+i] ^= mask[i%4]
	}
	return out
}

// send writes frames in one write, so that they reach the server together.
func (c *rawConn) send(frames ...frame) {
	c.t.Helper()
	var wire []byte
	for _, f := range frames {
		wire = append(wire, f.encode()...)
	}
	c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
	if _, err := c.conn.Write(wire); err != nil {
		c.t.Fatalf("writing frames: %v", err)
	}
}

// readFrame reads the next frame from the server. A server frame must not
// be masked (RFC 6455 section 5.1): one that is fails the test.
func (c *rawConn) readFrame() (frame, error) {
	c.conn.SetReadDeadline(time.Now().Add(readTimeout))
	var head [2]byte
	if _, err := io.ReadFull(c.in, head[:]); err != nil {
		return frame{}, err
	}
	if head[1]&0x80 != 0 {
		c.t.Fatalf("the server sent a masked frame")
	}
	f := frame{fin: head[0]&0x80 != 0, rsv: head[0] >> 4 & 7, opcode: head[0] & 0x0f}
	length := uint64(head[1] & 0x7f)
	switch length {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(c.in, ext[:]); err != nil {
			return frame{}, err
		}
		length = uint64(endian.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(c.in, ext[:]); err != nil {
			return frame{}, err
		}
		length = endian.BigEndian.Uint64(ext[:])
	}
	f.payload = make([]byte, length)
	if _, err := io.ReadFull(c.in, f.payload); err != nil {
		return frame{}, err
	}
	return f, nil
}

// event is what the server sent: a whole data message, a control frame,
// or the end of the connection.
type event struct {
	opcode  byte
	payload []byte
	err     error // set at the end of the stream, with opcode 0
}

// next returns the next data message (reassembled from its fragments) or
// control frame. The server itself must fragment correctly: a
// continuation frame without a start, or a data frame inside a message,
// fails the test.
func (c *rawConn) next() event {
	c.t.Helper()
	var message []byte
	var messageOp byte
	for {
		f, err := c.readFrame()
		if err != nil {
			return event{err: err}
		}
		switch {
		case f.opcode >= opClose:
			return event{opcode: f.opcode, payload: f.payload}
		case f.opcode == opContinuation && messageOp == 0:
			c.t.Fatalf("the server sent a continuation frame outside a message")
		case f.opcode != opContinuation && messageOp != 0:
			c.t.Fatalf("the server began a message inside another")
		case f.opcode != opContinuation:
			messageOp = f.opcode
		}
		message = append(message, f.payload...)
		if f.fin {
			return event{opcode: messageOp, payload: message}
		}
	}
}

// closePayload builds a close frame's payload: a code and a reason.
func closePayload(code int, reason string) []byte {
	return append(endian.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// closeCode reads the status code of a close frame's payload; an empty
// payload is 1005 (no status received), as RFC 6455 section 7.1.5 says.
func closeCode(payload []byte) int {
	if len(payload) < 2 {
		return 1005
	}
	return int(endian.BigEndian.Uint16(payload))
}

// expectEOF checks that the server has closed the TCP connection: the
// next read finds the end of the stream, with no more frames before it.
func (c *rawConn) expectEOF() {
	c.t.Helper()
	ev := c.next()
	if ev.err == nil {
		c.t.Fatalf("after the close frame, want the end of the stream, got opcode %#x %q", ev.opcode, ev.payload)
	}
	if !errors.Is(ev.err, io.EOF) {
		c.t.Fatalf("after the close frame, want EOF, got %v", ev.err)
	}
}
