package libwebsocketd

import (
	"encoding/json"
	"errors"

	"github.com/gorilla/websocket"
)

// What nodes say to each other about a room, one NATS message each. The
// first byte says what the message is; the rest is its body.
//
//	subject .in   (to the owner)   t or b: a client's text or binary message
//	subject .out  (from the owner) t or b: a message of the process's output
//	                               T or B: the same, numbered (--roomreplay): 8
//	                               bytes big-endian, then the message
//	                               s: the process started; body "1" after a restart
//	                               e: the process ended; body a JSON roomEnd
//	subject .here (to the owner)   1 or 0: the node (the body, its id) has
//	                               clients of the room, or has none any more
//	subject .replay (to the owner) a request; the answer is its replay
//	                               (cluster_replay.go)
const (
	wireText           = 't'
	wireBinary         = 'b'
	wireTextNumbered   = 'T'
	wireBinaryNumbered = 'B'
	wireStarted        = 's'
	wireEnded          = 'e'
	wireHere           = '1'
	wireGone           = '0'
)

// roomEnd is how a room's process ended. Handover is set when its owner
// stopped it for a reason of its own (no clients left anywhere, shutting
// down, the lease lost): a node that still has clients of the room then
// starts a new process rather than closing them.
type roomEnd struct {
	Code     int    `json:"code"`
	Reason   string `json:"reason"`
	Handover bool   `json:"handover"`
}

var errBadWire = errors.New("not a message of the cluster's room protocol")

// wireMessage frames a WebSocket message of kind.
func wireMessage(kind int, data []byte) []byte {
	framed := make([]byte, 1+len(data))
	framed[0] = wireText
	if kind == websocket.BinaryMessage {
		framed[0] = wireBinary
	}
	copy(framed[1:], data)
	return framed
}

// parseWireMessage reads a t or b message; the data shares wire's bytes.
func parseWireMessage(wire []byte) (kind int, data []byte, err error) {
	if len(wire) == 0 {
		return 0, nil, errBadWire
	}
	switch wire[0] {
	case wireText:
		return websocket.TextMessage, wire[1:], nil
	case wireBinary:
		return websocket.BinaryMessage, wire[1:], nil
	}
	return 0, nil, errBadWire
}

func wireEnd(end roomEnd) []byte {
	body, _ := json.Marshal(end) // an int, a string and a bool: cannot fail
	return append([]byte{wireEnded}, body...)
}

// parseWireEnd reads the body of an e message.
func parseWireEnd(body []byte) (roomEnd, error) {
	var end roomEnd
	if err := json.Unmarshal(body, &end); err != nil {
		return end, errBadWire
	}
	if end.Code < 1000 || end.Code > 4999 || len(end.Reason) > 123 {
		return end, errBadWire
	}
	return end, nil
}

func wirePresence(node string, has bool) []byte {
	mark := byte(wireGone)
	if has {
		mark = wireHere
	}
	return append([]byte{mark}, node...)
}

// parsePresence reads a .here message: which node, and whether it has
// clients of the room.
func parsePresence(wire []byte) (node string, has bool, err error) {
	if len(wire) < 2 || len(wire) > 64 || (wire[0] != wireHere && wire[0] != wireGone) {
		return "", false, errBadWire
	}
	return string(wire[1:]), wire[0] == wireHere, nil
}
