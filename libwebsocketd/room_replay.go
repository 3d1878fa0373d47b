package libwebsocketd

// Replay for late joiners (--roomreplay): a room keeps the last messages
// it sent to everyone (replay.go), and a client taking its seat gets
// them first, then the live ones. Both happen under the room's lock: a
// broadcast keeps its message and takes its seats (everyone) in one step,
// and a client is seated and given the replay in one step, so each
// message reaches a joiner exactly once, by replay or live, however busy
// the room is.

// keepLocked keeps m for replay, numbered as the cluster's owner numbered
// it (0 in a room of one server). The room's lock is held.
func (rm *room) keepLocked(m roomMessage) {
	if rm.replay != nil {
		rm.replay.add(rm.outSeq, len(m.data), m)
	}
}

// replay queues the replay ahead of anything live. It bypasses the
// --roomqueue bound, which the replay's own bound (--roomreplaybytes)
// replaces; the queue counts it, so the hub waits for a client that does
// not read it. The room's lock is held: no live message comes first.
func (st *seat) replay(items []replayItem[roomMessage]) {
	if len(items) == 0 {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, it := range items {
		st.queue = append(st.queue, it.value)
		st.queued += it.value.size
	}
	st.startWriterLocked()
}
