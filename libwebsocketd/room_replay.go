package libwebsocketd

// Replay for late joiners (--roomreplay): a room keeps the last messages
// it sent to everyone (replay.go), and a client taking its seat gets
// them first, then the live ones. Both happen under the room's lock: a
// broadcast keeps its message and takes its seats (everyone) in one step,
// and a client is seated and given the replay in one step, so each
// message reaches a joiner exactly once, by replay or live, however busy
// the room is.

// keepLocked numbers m, a message to everyone, and keeps it for replay:
// in a cluster with the number its owner gave it, else with the room's
// own count. The number goes out with m, as an event stream's id (a
// client back with Last-Event-ID is replayed only what follows it). The
// room's lock is held.
func (rm *room) keepLocked(m *roomMessage) {
	if rm.replay == nil {
		return
	}
	if rm.link == nil {
		rm.outSeq++
	}
	m.seq = rm.outSeq
	rm.replay.add(m.seq, len(m.data), *m)
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
		if it.seq <= st.after {
			continue // the client has it: it came back with Last-Event-ID
		}
		st.queue = append(st.queue, it.value)
		st.queued += it.value.size
	}
	st.startWriterLocked()
}
