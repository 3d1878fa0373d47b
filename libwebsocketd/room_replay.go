package libwebsocketd

// Replay for late joiners (--roomreplay): a room keeps the last messages
// it sent to everyone (replay.go), and a client taking its seat gets
// them first, then the live ones. Both happen under the room's lock: a
// broadcast numbers and keeps its batch and takes its seats (everyone) in
// one step, and a client is seated and given the replay in one step, so
// each message reaches a joiner exactly once, by replay or live, however
// busy the room is.
//
// The replay keeps messages, not batches: its bounds are N messages and
// their payload's bytes. Each message kept points into its batch, so the
// oldest batch, of which the replay may hold only the last messages,
// stays in memory whole: the replay holds at most one batch more than
// its bounds say (roomBatchBytes and one message).

// messageInBatch is one message of a batch, as the replay keeps it.
type messageInBatch struct {
	batch *roomBatch
	index int
}

// keepLocked numbers b's messages, sent to everyone, and keeps them for
// replay: in a cluster with the number its owner gave the message (a
// cluster room's batches hold one message each: clusterRoom.output),
// else with the room's own count. The numbers go out with the messages,
// as an event stream's ids (a client back with Last-Event-ID is replayed
// only what follows it). The room's lock is held.
func (rm *room) keepLocked(b *roomBatch) {
	if rm.replay == nil {
		return
	}
	if rm.link == nil {
		b.first = rm.outSeq + 1
		rm.outSeq += uint64(len(b.messages))
	} else {
		b.first = rm.outSeq
	}
	for i := range b.messages {
		rm.replay.add(b.seq(i), len(b.data(i)), messageInBatch{batch: b, index: i})
	}
}

// replay queues the replay ahead of anything live, but what the client
// has already (after). It bypasses the --roomqueue bound, which the
// replay's own bound (--roomreplaybytes) replaces; the queue counts it,
// so the hub waits for a client that does not read it. The room's lock is
// held: no live message comes first.
func (st *seat) replay(items []replayItem[messageInBatch]) {
	batches := replayBatches(items, st.after)
	if len(batches) == 0 {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, b := range batches {
		st.queue = append(st.queue, b)
		st.queued += b.size
	}
	st.startWriterLocked()
}

// replayBatches gathers the replay's messages numbered past after (an
// event stream's Last-Event-ID) back into their batches: whole where the
// replay holds all of one, else cut to the run it holds.
func replayBatches(items []replayItem[messageInBatch], after uint64) []*roomBatch {
	var batches []*roomBatch
	for i := 0; i < len(items); {
		if items[i].seq <= after {
			i++ // the client has it: it came back with Last-Event-ID
			continue
		}
		first := items[i].value
		end := i + 1
		for end < len(items) && items[end].value.batch == first.batch &&
			items[end].value.index == first.index+(end-i) {
			end++
		}
		batches = append(batches, first.batch.cut(first.index, first.index+(end-i)))
		i = end
	}
	return batches
}
