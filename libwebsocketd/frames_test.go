package libwebsocketd

// The one builder of raw client frames for the unit tests.

// testMaskKey masks every test frame: clients must mask, and a key that is
// not zero makes a test that forgets to unmask fail.
var testMaskKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// clientFrame is a client's frame of payload after the first byte (FIN,
// RSV and opcode), with the length its size calls for.
func clientFrame(first byte, payload string) []byte {
	frame := []byte{first, maskBit}
	switch n := len(payload); {
	case n < 126:
		frame[1] |= byte(n)
	case n < 1<<16:
		frame[1] |= 126
		frame = append(frame, byte(n>>8), byte(n))
	default:
		frame[1] |= 127
		frame = append(frame, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return appendMasked(frame, payload)
}

// keyedFrame is a client's frame whose 7-bit length is given as it is,
// for headers that do not match their payload.
func keyedFrame(first, length byte, payload string) []byte {
	return appendMasked([]byte{first, length | maskBit}, payload)
}

func appendMasked(header []byte, payload string) []byte {
	frame := append(header, testMaskKey[:]...)
	for i := range len(payload) {
		frame = append(frame, payload[i]^testMaskKey[i%4])
	}
	return frame
}
