package libwebsocketd

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
)

// This file leans on how gorilla/websocket's Upgrade treats the hijacked
// connection (v1.5.3, server.go); hijack_test.go fails loudly if a new
// version behaves otherwise:
//   - with Upgrader.ReadBufferSize == 0 it reads the connection through
//     the hijacked *bufio.Reader, if that reader's buffer is over 256
//     bytes, so we can look at what it has read ahead;
//   - every frame it writes, control frames included, goes through the
//     hijacked net.Conn, so our wrapper can batch them (cork.go).

// socketReadBufferSize is each connection's read buffer, kept for the
// connection's whole life: big enough for a burst of small messages, small
// enough to cost little on an idle connection. Measured: 4 KiB -> 2 KiB
// saves 2 KB per idle connection for ~10% more CPU per echoed message.
const socketReadBufferSize = 2 << 10

// upgradeWriter is the ResponseWriter handed to gorilla's Upgrade: its
// Hijack returns our connection wrapper and reader instead of net/http's.
type upgradeWriter struct {
	http.ResponseWriter
	hijacked
}

// hijacked is what a session keeps of the upgrade: not the ResponseWriter,
// which holds net/http's request and buffers.
type hijacked struct {
	wire   *wireConn
	reader *bufio.Reader
}

func (u *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hijacker, ok := u.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("response writer %T cannot be hijacked", u.ResponseWriter)
	}
	conn, rw, err := hijacker.Hijack()
	if err != nil || rw.Reader.Buffered() > 0 {
		return conn, rw, err // gorilla refuses a client that spoke too early
	}
	u.wire = &wireConn{Conn: conn}
	u.reader = bufio.NewReaderSize(u.wire, socketReadBufferSize)
	// gorilla only borrows the writer's buffer to write the 101 response.
	return u.wire, bufio.NewReadWriter(u.reader, rw.Writer), nil
}

// Unwrap lets http.ResponseController reach the real writer.
func (u *upgradeWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// messageBuffered reports whether the next data message is already read
// ahead, whole: then reading it will not wait for the network.
func (h hijacked) messageBuffered() bool {
	if h.reader == nil {
		return false
	}
	return wholeMessageBuffered(peekBuffered(h.reader))
}

// WebSocket frame layout (RFC 6455 section 5.2).
const (
	finBit       = 0x80
	opcodeMask   = 0x0f
	maskBit      = 0x80
	lengthMask   = 0x7f
	opcodeClose  = 0x8
	firstControl = 0x8 // opcodes from here on are control frames
)

// wholeMessageBuffered reports whether buf, which starts at a frame
// boundary, holds the last frame of a data message in full (with every
// frame before it). Control frames on the way are skipped, as gorilla
// handles them inside the next read, except a close frame: after it no
// message comes.
func wholeMessageBuffered(buf []byte) bool {
	for len(buf) >= 2 {
		header, length := 2, uint64(buf[1]&lengthMask)
		switch length {
		case 126:
			header = 4
		case 127:
			header = 10
		}
		if buf[1]&maskBit != 0 {
			header += 4
		}
		if len(buf) < header {
			return false
		}
		switch length {
		case 126:
			length = uint64(binary.BigEndian.Uint16(buf[2:]))
		case 127:
			length = binary.BigEndian.Uint64(buf[2:])
		}
		if uint64(len(buf)-header) < length {
			return false
		}
		opcode := buf[0] & opcodeMask
		switch {
		case opcode == opcodeClose:
			return false
		case opcode < firstControl && buf[0]&finBit != 0:
			return true
		}
		buf = buf[header+int(length):]
	}
	return false
}

// peekBuffered returns what r has read ahead, without reading.
func peekBuffered(r *bufio.Reader) []byte {
	ahead, _ := r.Peek(r.Buffered())
	return ahead
}
