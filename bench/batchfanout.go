//go:build !windows

package main

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// The batching broadcaster, on /fanout?n=N&c=C of the batching ceiling:
// the same room as the naive one (C clients join; once one has said
// anything and all C are in, the lines 1 to N go to every client), built
// to cost as little as a broadcast can. Each line is framed once, into a
// chunk of frames shared by every client; each client's queue of chunks
// is drained by its own writer goroutine, all of it in one writev.

const (
	// fanoutChunkSize is how many bytes of frames the broadcaster
	// gathers before it queues them: the block `seq` writes to a pipe,
	// so what a room reads from its process at a time.
	fanoutChunkSize = 4 << 10
	// maxLineFrame is the longest frame of one line: a 2-byte header
	// and at most 20 digits.
	maxLineFrame = 2 + 20
	// maxPendingBytes bounds a client's queue (websocketd's --roomqueue
	// default): the broadcaster waits for a client that far behind.
	maxPendingBytes = 1 << 20
	// maxFanoutClients bounds /fanout?c=.
	maxFanoutClients = 100_000
)

// batchRoom is the room of /fanout.
type batchRoom struct {
	mu      sync.Mutex
	members []*batchMember
	asked   bool // a client said something
	started bool
}

func (room *batchRoom) serve(w http.ResponseWriter, r *http.Request) {
	lines, err1 := queryInt(r, "n", 0, maxSeqLines)
	clients, err2 := queryInt(r, "c", 1, maxFanoutClients)
	if err := errors.Join(err1, err2); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	conn := upgradeRaw(w, r)
	if conn == nil {
		return
	}
	m := newBatchMember(conn)
	go m.writeLoop()
	// A client's 101 goes out before it is a member: the word of another
	// may come first, so the start waits for all of them.
	room.update(func() { room.members = append(room.members, m) }, clients, lines)
	m.readLoop(func() { room.update(func() { room.asked = true }, clients, lines) })
}

// update changes the room's state and starts the broadcast once it can.
func (room *batchRoom) update(change func(), clients, lines int) {
	room.mu.Lock()
	change()
	start := room.asked && len(room.members) == clients && !room.started
	room.started = room.started || start
	members := room.members
	room.mu.Unlock()
	if start {
		go broadcastLines(members, lines)
	}
}

// broadcastLines frames the lines 1 to n, each once, into chunks, and
// queues every chunk to every member.
func broadcastLines(members []*batchMember, n int) {
	var line []byte
	chunk := make([]byte, 0, fanoutChunkSize)
	for i := 1; i <= n; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		chunk = appendFrame(chunk, finBit|opText, line)
		if len(chunk)+maxLineFrame > fanoutChunkSize || i == n {
			for _, m := range members {
				m.enqueue(chunk)
			}
			chunk = make([]byte, 0, fanoutChunkSize) // the last one is shared now
		}
	}
}

// batchMember is one client of the room: its queue, and the state its
// reader and writer share.
type batchMember struct {
	conn    net.Conn
	mu      sync.Mutex
	changed sync.Cond   // on mu: the queue or the state changed
	pending net.Buffers // chunks of frames not written yet
	queued  int         // bytes in pending
	closing bool        // nothing more is queued: write what is, then close
	failed  bool        // a write failed: what is queued is dropped
}

func newBatchMember(conn net.Conn) *batchMember {
	m := &batchMember{conn: conn}
	m.changed.L = &m.mu
	return m
}

// enqueue queues frames (which are never changed after) to be written,
// waiting while the queue is full.
func (m *batchMember) enqueue(frames []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.queued >= maxPendingBytes && !m.closing && !m.failed {
		m.changed.Wait()
	}
	if m.closing || m.failed {
		return
	}
	m.pending = append(m.pending, frames)
	m.queued += len(frames)
	m.changed.Broadcast()
}

// finish queues the last frame (if any) and has the writer close the
// connection once the queue is written.
func (m *batchMember) finish(last []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if last != nil && !m.closing {
		m.pending = append(m.pending, last)
	}
	m.closing = true
	m.changed.Broadcast()
}

// writeLoop writes everything queued since its last write in one writev,
// until the member is finished or a write fails.
func (m *batchMember) writeLoop() {
	defer m.conn.Close() // its reader then stops too
	var batch net.Buffers
	for {
		m.mu.Lock()
		for len(m.pending) == 0 && !m.closing {
			m.changed.Wait()
		}
		if len(m.pending) == 0 {
			m.mu.Unlock()
			return
		}
		batch, m.pending = m.pending, batch[:0]
		m.queued = 0
		m.changed.Broadcast() // the broadcaster may be waiting for room
		m.mu.Unlock()
		unwritten := batch // WriteTo consumes the slice it writes
		if _, err := unwritten.WriteTo(m.conn); err != nil {
			m.fail()
			return
		}
		clear(batch) // the chunks can go once every member has written them
	}
}

func (m *batchMember) fail() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failed = true
	m.changed.Broadcast()
}

// readLoop reads the client's frames: said runs at the end of each
// message; pings are answered through the queue, so that the writer
// stays the only one to write; a close is answered and ends the member.
func (m *batchMember) readLoop(said func()) {
	frames := frameReader{in: bufio.NewReaderSize(m.conn, 512)}
	for {
		first, payload, err := frames.next()
		if err != nil {
			m.finish(refusal(err))
			return
		}
		switch opcode := first & opcodeBits; {
		case opcode == opPing:
			m.enqueue(appendFrame(nil, finBit|opPong, payload))
		case opcode == opClose:
			m.finish(closeReply(payload))
			return
		case opcode != opPong && first&finBit != 0:
			said()
		}
	}
}
