package libwebsocketd

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
)

// Replay in a cluster room (--roomreplay with --cluster). Every node with
// clients of the room keeps the replay of what it receives on the room's
// .out subject, as a room of one server does, and serves its own joiners
// from it. A node that had no client of the room has nothing: as it opens
// the room it subscribes to .out, then asks the owner for its replay
// (.replay, a NATS request). The owner numbers each message it publishes
// and keeps its own replay, of what it published: the answer is its
// messages up to a number, and the node keeps the live ones after that
// number. A live message numbered at most that is in the answer already
// and is dropped, whenever it arrives, so nothing is missed or had twice.
//
// The answer is one NATS message: a replay bigger than NATS's max_payload
// loses its oldest messages, so what a node gets is still the latest run.

// ownerReplay is the owner's replay: what it published, numbered.
type ownerReplay struct {
	mu   sync.Mutex
	seq  uint64 // the number of the last message published
	ring *replayRing[wireItem]
}

// wireItem is a message of the room's output as it travels.
type wireItem struct {
	kind int
	data []byte
}

func newOwnerReplay(limits roomLimits) *ownerReplay {
	ring := newReplayRing[wireItem](limits.replay, limits.replayBytes)
	if ring == nil {
		return nil
	}
	return &ownerReplay{ring: ring}
}

// number numbers a message about to be published and keeps it (a copy:
// the output's reader reuses its buffer); 0 when replay is off.
func (r *ownerReplay) number(kind int, data []byte) uint64 {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	r.ring.add(r.seq, len(data), wireItem{kind: kind, data: bytes.Clone(data)})
	return r.seq
}

// answer is the reply to a node's .replay request.
func (r *ownerReplay) answer(m *nats.Msg, maxPayload int) {
	r.mu.Lock()
	body := encodeReplay(r.seq, r.ring.snapshot(), maxPayload)
	r.mu.Unlock()
	m.Respond(body)
}

// The answer's form: the number of the last message published (8 bytes),
// then each message kept, oldest first: its number (8 bytes), t or b, its
// length (4 bytes) and its data. All numbers big-endian.
const (
	replayHeader     = 8
	replayItemHeader = 8 + 1 + 4
)

// encodeReplay encodes the latest items that fit in maxPayload bytes.
func encodeReplay(last uint64, items []replayItem[wireItem], maxPayload int) []byte {
	size, from := replayHeader, len(items)
	for from > 0 && size+replayItemHeader+len(items[from-1].value.data) <= maxPayload {
		from--
		size += replayItemHeader + len(items[from].value.data)
	}
	body := make([]byte, replayHeader, size)
	binary.BigEndian.PutUint64(body, last)
	for _, it := range items[from:] {
		body = binary.BigEndian.AppendUint64(body, it.seq)
		body = append(body, wireMessage(it.value.kind, nil)[0])
		body = binary.BigEndian.AppendUint32(body, uint32(len(it.value.data)))
		body = append(body, it.value.data...)
	}
	return body
}

// parseReplay reads an answer: the items share body's bytes. Numbers go
// up and none is past last, or the answer is refused.
func parseReplay(body []byte) (last uint64, items []replayItem[wireItem], err error) {
	if len(body) < replayHeader {
		return 0, nil, errBadWire
	}
	last, body = binary.BigEndian.Uint64(body), body[replayHeader:]
	var prev uint64
	for len(body) > 0 {
		if len(body) < replayItemHeader {
			return 0, nil, errBadWire
		}
		seq := binary.BigEndian.Uint64(body)
		kind, _, kindErr := parseWireMessage(body[8:9])
		length := binary.BigEndian.Uint32(body[9:replayItemHeader])
		body = body[replayItemHeader:]
		if kindErr != nil || seq <= prev || seq > last || uint64(length) > uint64(len(body)) {
			return 0, nil, errBadWire
		}
		data := body[:length:length]
		items = append(items, replayItem[wireItem]{seq: seq, length: len(data), value: wireItem{kind, data}})
		body, prev = body[length:], seq
	}
	return last, items, nil
}

// fetchReplay asks the owner for its replay and starts the room's replay
// here with it, once this node listens to the live output. Without an
// answer (no owner yet, or one that died) the replay starts empty.
func (l *clusterRoom) fetchReplay() {
	nc := l.c.nc
	if err := nc.FlushTimeout(leaseOpTimeout); err != nil {
		return // the live output may not be ours yet: nothing to build on
	}
	answer, err := nc.Request(l.subj.replay, nil, leaseOpTimeout)
	if err != nil {
		l.rm.log.Debug("no replay from the room's owner", "category", "cluster", "error", err)
		return
	}
	last, items, err := parseReplay(answer.Data)
	if err != nil {
		l.rm.log.Error("invalid replay from the room's owner, ignored", "category", "cluster")
		return
	}
	l.outMu.Lock()
	defer l.outMu.Unlock()
	l.floor = last
	l.rm.startReplay(items, last)
}

// startReplay makes the room's replay the owner's items, then the live
// messages received after the last of them.
func (rm *room) startReplay(items []replayItem[wireItem], last uint64) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	live := rm.replay.snapshot()
	rm.replay.reset()
	for _, it := range items {
		b := rm.prepare(it.value.kind, it.value.data)
		b.first = it.seq
		rm.replay.add(it.seq, len(b.data(0)), messageInBatch{batch: b})
	}
	for _, it := range live {
		if it.seq > last {
			rm.replay.add(it.seq, it.length, it.value)
		}
	}
}

// stale reports whether a live message numbered seq is in the replay
// that this node started with; the caller holds outMu.
func (l *clusterRoom) stale(seq uint64) bool {
	return seq != 0 && seq <= l.floor
}

// wireOutput frames a message of the room's output: numbered (T or B)
// when the owner keeps a replay, else as a client's message is.
func wireOutput(seq uint64, kind int, data []byte) []byte {
	if seq == 0 {
		return wireMessage(kind, data)
	}
	framed := make([]byte, 9, 9+len(data))
	framed[0] = wireTextNumbered
	if kind == websocket.BinaryMessage {
		framed[0] = wireBinaryNumbered
	}
	binary.BigEndian.PutUint64(framed[1:], seq)
	return append(framed, data...)
}

// parseWireOutput reads a message of the room's output, numbered or not
// (seq 0); the data shares wire's bytes.
func parseWireOutput(wire []byte) (kind int, seq uint64, data []byte, err error) {
	if len(wire) == 0 || (wire[0] != wireTextNumbered && wire[0] != wireBinaryNumbered) {
		kind, data, err = parseWireMessage(wire)
		return kind, 0, data, err
	}
	if len(wire) < 9 {
		return 0, 0, nil, errBadWire
	}
	seq = binary.BigEndian.Uint64(wire[1:9])
	if seq == 0 {
		return 0, 0, nil, errBadWire // numbers start at 1: 0 is "none"
	}
	kind = websocket.TextMessage
	if wire[0] == wireBinaryNumbered {
		kind = websocket.BinaryMessage
	}
	return kind, seq, wire[9:], nil
}
