//go:build !windows

package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The strong ceilings take gorilla's handshake and then speak WebSocket
// frames by hand: framing is a few lines, and doing it here lets a server
// see what input is already buffered and choose when to write, which
// gorilla's Conn keeps to itself (it writes each message on its own).

// Bits of a frame's first two bytes, and opcodes (RFC 6455, section 5.2).
const (
	finBit     = 0x80
	rsvBits    = 0x70
	opcodeBits = 0x0f
	maskBit    = 0x80
	lengthBits = 0x7f

	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

const (
	maxControlPayload = 125
	// maxFramePayload bounds one client frame. The loads send frames of a
	// few KiB (gorilla's client cuts a message at its 4 KiB write buffer);
	// a larger claim is refused rather than allocated.
	maxFramePayload = 1 << 20
	// maxFrameHeader is a server frame's longest header: no mask key.
	maxFrameHeader = 10
)

// Close codes the ceilings send (RFC 6455, section 7.4.1).
const (
	closeNormal        = 1000
	closeProtocolError = 1002
	closeTooBig        = 1009
)

// frameError is a client frame the ceilings refuse, with the close code
// that says why.
type frameError struct {
	code   int
	reason string
}

func (e *frameError) Error() string { return fmt.Sprintf("refused frame (%d): %s", e.code, e.reason) }

// frameReader reads a client's frames, which RFC 6455 has masked.
type frameReader struct {
	in      *bufio.Reader
	payload []byte // reused from frame to frame
}

// next returns the next frame's first byte (FIN, RSV and opcode) and its
// payload, unmasked; the payload is valid until the next call.
func (fr *frameReader) next() (first byte, payload []byte, err error) {
	head, err := fr.take(2)
	if err != nil {
		return 0, nil, err
	}
	first, second := head[0], head[1]
	if err := checkFrameStart(first, second); err != nil {
		return 0, nil, err
	}
	length, err := fr.length(second & lengthBits)
	if err != nil {
		return 0, nil, err
	}
	key, err := fr.take(4)
	if err != nil {
		return 0, nil, err
	}
	mask := binary.LittleEndian.Uint32(key)
	if cap(fr.payload) < length {
		fr.payload = make([]byte, length)
	}
	payload = fr.payload[:length]
	if _, err := io.ReadFull(fr.in, payload); err != nil {
		return 0, nil, err
	}
	unmask(payload, mask)
	return first, payload, nil
}

// checkFrameStart refuses what no client of the loads sends: extensions
// (none is negotiated), unknown opcodes, long or fragmented control frames
// and unmasked frames.
func checkFrameStart(first, second byte) error {
	opcode := first & opcodeBits
	switch {
	case first&rsvBits != 0:
		return &frameError{closeProtocolError, "reserved bits set"}
	case opcode > opBinary && opcode < opClose, opcode > opPong:
		return &frameError{closeProtocolError, fmt.Sprintf("unknown opcode %d", opcode)}
	case opcode >= opClose && (first&finBit == 0 || second&lengthBits > maxControlPayload):
		return &frameError{closeProtocolError, "fragmented or long control frame"}
	case second&maskBit == 0:
		return &frameError{closeProtocolError, "unmasked client frame"}
	}
	return nil
}

// length reads the payload length that the 7 bits short announce.
func (fr *frameReader) length(short byte) (int, error) {
	var n uint64
	switch short {
	case 126:
		b, err := fr.take(2)
		if err != nil {
			return 0, err
		}
		n = uint64(binary.BigEndian.Uint16(b))
	case 127:
		b, err := fr.take(8)
		if err != nil {
			return 0, err
		}
		n = binary.BigEndian.Uint64(b)
	default:
		n = uint64(short)
	}
	if n > maxFramePayload {
		return 0, &frameError{closeTooBig, fmt.Sprintf("a frame of %d bytes", n)}
	}
	return int(n), nil
}

// take returns the next n bytes (n at most 8) from the reader's own
// buffer, valid until its next read: no copy, no allocation.
func (fr *frameReader) take(n int) ([]byte, error) {
	b, err := fr.in.Peek(n)
	if errors.Is(err, io.EOF) && len(b) > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	fr.in.Discard(n)
	return b, nil
}

// unmask XORs p with the 4-byte mask key (as loaded little-endian from
// the frame), eight bytes at a time: a byte at a time would cost a 64 KiB
// message more than its whole echo.
func unmask(p []byte, key uint32) {
	word := uint64(key) | uint64(key)<<32
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^word)
		p = p[8:]
	}
	for i := range p {
		p[i] ^= byte(key >> (8 * (i & 3)))
	}
}

// appendFrameHeader appends a server frame's header (no mask) for a
// payload of n bytes.
func appendFrameHeader(dst []byte, first byte, n int) []byte {
	switch {
	case n <= maxControlPayload:
		return append(dst, first, byte(n))
	case n <= 0xffff:
		return append(dst, first, 126, byte(n>>8), byte(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, first, 127), uint64(n))
}

// appendFrame appends a whole server frame.
func appendFrame(dst []byte, first byte, payload []byte) []byte {
	return append(appendFrameHeader(dst, first, len(payload)), payload...)
}

// closeFrame is a close frame with code and reason.
func closeFrame(code int, reason string) []byte {
	payload := binary.BigEndian.AppendUint16(nil, uint16(code))
	return appendFrame(nil, finBit|opClose, append(payload, reason...))
}

// closeReply answers a client's close frame: its status code echoed, as
// RFC 6455 (section 5.5.1) has endpoints do, or 1002 for a payload too
// short to hold a code.
func closeReply(payload []byte) []byte {
	switch len(payload) {
	case 0:
		return appendFrame(nil, finBit|opClose, nil)
	case 1:
		return closeFrame(closeProtocolError, "close payload of 1 byte")
	}
	return appendFrame(nil, finBit|opClose, payload[:2])
}

// refusal is the close frame that answers a read error: the frame's code
// when a frame was refused, none when the connection itself failed.
func refusal(err error) []byte {
	var refused *frameError
	if errors.As(err, &refused) {
		return closeFrame(refused.code, refused.reason)
	}
	return nil
}
