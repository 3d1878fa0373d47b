package libwebsocketd

import (
	"bufio"
	"encoding/binary"
)

// What the socket has read ahead of gorilla (see hijack.go), looked at
// without reading it: whether a whole message waits there (so a burst can
// be written to the child in one go), and whether only control frames do
// (so a reader may stop while its client is quiet, park_watch.go).

// WebSocket frame layout (RFC 6455 section 5.2).
const (
	finBit       = 0x80
	opcodeMask   = 0x0f
	maskBit      = 0x80
	lengthMask   = 0x7f
	rsvBits      = 0x70
	opcodeClose  = 0x8
	opcodePing   = 0x9
	opcodePong   = 0xa
	firstControl = 0x8 // opcodes from here on are control frames
	maskKeySize  = 4
	// maxControlPayload is the most a control frame may carry (RFC 6455
	// section 5.5); its length fits the first length byte.
	maxControlPayload = 125
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

// leadingPingOrPong returns the ping or pong frame that buf starts with, if
// it is whole and as a client must send it (final, masked, no reserved
// bits): its opcode, its unmasked payload and its size on the wire. ok is
// false for anything else, which is gorilla's to read and to judge.
func leadingPingOrPong(buf []byte) (opcode byte, payload []byte, size int, ok bool) {
	const header = 2 + maskKeySize
	if len(buf) < header {
		return 0, nil, 0, false
	}
	opcode = buf[0] & opcodeMask
	final := buf[0]&finBit != 0 && buf[0]&rsvBits == 0
	masked := buf[1]&maskBit != 0
	length := int(buf[1] & lengthMask)
	if !final || !masked || (opcode != opcodePing && opcode != opcodePong) ||
		length > maxControlPayload || len(buf) < header+length {
		return 0, nil, 0, false
	}
	key := buf[2:header]
	payload = make([]byte, length)
	for i := range payload {
		payload[i] = buf[header+i] ^ key[i%maskKeySize]
	}
	return opcode, payload, header + length, true
}
