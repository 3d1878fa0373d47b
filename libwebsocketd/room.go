package libwebsocketd

import (
	"bytes"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/pipes"
)

// A room is one process shared by every client connected to the same path
// (--room). Three goroutines of the room's own each read one thing: the
// hub (readOutput) reads the process's stdout and puts each message in the
// queues of the clients it is for; writeInput takes the clients' messages,
// whole and in turn, to the process's stdin; logStderr logs its stderr.
// Each client's seat (room_seat.go) writes its own queue to its socket,
// and its session's reading goroutine hands its messages to writeInput.
//
// Backpressure: while a client's queue is full the hub waits, so the
// process blocks on a full stdout pipe, until that client catches up or
// has been too slow for --roomslowms; then it is closed with 1008 and its
// queue dropped. Memory for output is bounded by clients x --roomqueue
// (plus one batch each, as a batch bigger than the queue still goes to
// an empty one); a message for many clients is framed and held once, in
// a batch with the messages that came with it (room_batch.go).
type room struct {
	key    string
	hub    *roomHub
	proc   processBackend // none in a cluster room: its process is the owner's (link)
	log    *slog.Logger
	limits roomLimits
	link   *clusterRoom                // nil without --cluster (cluster_room.go)
	replay *replayRing[messageInBatch] // --roomreplay; nil when off (room_replay.go)

	running sync.Once // starts the goroutines, at the first seat

	in   chan clientMessage // client input for writeInput
	done chan struct{}      // closed once the process's output has ended

	// pending are the output messages the hub has read for everyone but
	// not handed over yet, as more were ready (plainRoom).
	pending batchBuilder

	mu      sync.Mutex
	seats   map[string]*seat // by client id
	all     []*seat          // the seats, for a message to everyone; nil when stale
	members int              // seats, and upgrades under way that will take one
	closed  bool             // takes no new members: stopping or ended
	status  *exitStatus      // how the process ended, once it has
	linger  *time.Timer
	outSeq  uint64 // a cluster room: the owner's number of the message being handed out
}

// clientMessage is a client's message on its way to the process.
type clientMessage struct {
	data []byte
	kind int
}

// run starts the room's goroutines; the watcher reads its stderr.
func (rm *room) run() {
	if rm.link != nil {
		return // the output comes from the cluster, the input goes there
	}
	go rm.readOutput()
	go rm.writeInput()
	pipes.ReadLines(rm.proc.errorOutput(), rm.limits.maxLine, rm.logStderr, false, make(chan struct{}), rm.log)
}

// readOutput is the hub: each message of the process's output goes to its
// clients, as the room's protocol says; at the end of the output the room
// ends. Output the codec cannot carry (a line over --maxlinesize) ends it
// too: its clients get the close frame it names once their queues are
// sent, and the process is stopped.
func (rm *room) readOutput() {
	err := rm.relayOutput()
	// No one joins from here on: once the process is reaped, the next
	// connection must find no room and start a new one.
	rm.hub.forget(rm)
	rm.end(endOfOutput(rm.proc, err, rm.log))
}

// endOfOutput reaps a room's process whose output ended with err, and
// says how it ended; output that could not be carried names the close
// frame.
func endOfOutput(proc processBackend, err error, log *slog.Logger) exitStatus {
	var refused closingError
	if !errors.As(err, &refused) {
		if readFailed(err) {
			log.Error("reading the room's stdout", "error", err)
		}
		return proc.end()
	}
	code, reason := refused.closeFrame()
	log.Error("closing the room's clients with "+strconv.Itoa(code), "error", err)
	go proc.stop() // its output is read no more; end reaps it
	status := proc.end()
	status.code, status.reason = code, reason
	return status
}

// relayOutput hands each message of the process's output to its clients
// until the output ends, and returns how it ended.
// A message that more follow at once waits for them, so that they go out
// together (plainRoom); whatever waits goes out before the room ends.
func (rm *room) relayOutput() error {
	messages := rm.hub.deps.codec.output(pipes.NewLazyInput(rm.proc.Stdout()))
	for {
		kind, message, err := messages.next()
		if err != nil {
			rm.broadcastPending()
			return err
		}
		rm.hub.deps.protocol.output(rm, kind, message, messages.buffered())
	}
}

// prepare frames one message once for all its clients. data is copied: the
// frame reader reuses its buffer.
func (rm *room) prepare(kind int, data []byte) *roomBatch {
	var one batchBuilder
	one.add(kind, data, rm.limits.compress)
	return one.take()
}

// broadcast frames a message for everyone; it waits in pending while more
// follow at once (more) and the batch has room.
func (rm *room) broadcast(kind int, data []byte, more bool) {
	rm.pending.add(kind, data, rm.limits.compress)
	if !more || rm.pending.full() {
		rm.broadcastPending()
	}
}

// broadcastPending hands the messages waiting in pending to everyone.
func (rm *room) broadcastPending() {
	if !rm.pending.empty() {
		b := rm.pending.take()
		rm.deliver(b, rm.everyone(b)) // everyone numbers b first, with --roomreplay
	}
}

// deliver queues m for each target in turn, waiting for a full queue until
// its client catches up or is too slow.
func (rm *room) deliver(m *roomBatch, targets []*seat) {
	for _, st := range targets {
		for !st.offer(m) {
			if !st.awaitSpace() {
				// Whether the close frame gets out is logged later
				// (seat.logTooSlowEnd): the client may not read it.
				rm.log.Log(nil, LevelInfo, "room client too slow, closing it",
					"client", st.id, "queued_bytes", rm.limits.queue)
				st.close(websocket.ClosePolicyViolation, "too slow", controlWriteTimeout, true)
				break
			}
		}
	}
}

// awaitSpace waits until the writer has taken something from the queue,
// or reports false once the queue has been full for --roomslowms.
func (st *seat) awaitSpace() bool {
	wait := time.Until(st.slowDeadline())
	if wait <= 0 {
		return false
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-st.space:
		return true
	case <-timer.C:
		return false
	}
}

// everyone returns the room's seats for b, a batch to everyone, and
// keeps b for replay (numbered, room_replay.go). The slice is shared and
// never changed: a join or leave makes the next call build a new one, so
// a line for a thousand clients costs no copy of the list.
func (rm *room) everyone(b *roomBatch) []*seat {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.keepLocked(b)
	if rm.all == nil {
		rm.all = make([]*seat, 0, len(rm.seats))
		for _, st := range rm.seats {
			rm.all = append(rm.all, st)
		}
	}
	return rm.all
}

// writeInput writes the clients' messages to the process's stdin, one
// whole message at a time in the order they come, as the room's codec
// writes them: the channel takes its senders in turn, so a client that
// floods waits behind the others, and a full stdin leaves the senders
// blocked, which stops them reading their sockets (TCP pushes back on them
// alone). Messages that come together are written in one go.
func (rm *room) writeInput() {
	feedStdin(rm.hub.deps.codec.input(rm.proc.Stdin()), rm.in, rm.done)
}

// feedStdin writes the messages from in to stdin until done.
func feedStdin(stdin messageSink, in <-chan clientMessage, done <-chan struct{}) {
	for {
		var m clientMessage
		select {
		case m = <-in:
		default:
			stdin.flush() // nothing more waiting: hand over the burst
			select {
			case m = <-in:
			case <-done:
				return
			}
		}
		stdin.write(m.data, m.kind) // after an error the burst is dropped
	}
}

// send hands one message, which it keeps, to writeInput; it returns false
// once the room has ended.
func (rm *room) send(data []byte, kind int) bool {
	if rm.link != nil {
		return rm.link.publishInput(data, kind)
	}
	select {
	case rm.in <- clientMessage{data: data, kind: kind}:
		return true
	case <-rm.done:
		return false
	}
}

// fromClient takes a client's message for the process.
func (rm *room) fromClient(st *seat, message []byte, kind int) {
	rm.send(rm.hub.deps.protocol.input(st, message, kind))
}

func (rm *room) logStderr(line []byte) {
	rm.log.Error(string(line), "category", "stderr")
}

// end follows the end of the process: every client still there gets the
// close frame with its exit status once its queue is sent, and the next
// connection to the path starts a new process.
func (rm *room) end(status exitStatus) {
	clients := rm.closeSeats(status)
	rm.log.Info("room process ended", "status", status.detail, "clients", len(clients))
	rm.hub.ended(status)
}

// closeSeats closes the room to new clients and closes those seated with
// status once their queues are sent; it returns them.
func (rm *room) closeSeats(status exitStatus) []*seat {
	rm.mu.Lock()
	rm.closed, rm.status = true, &status
	seats := make([]*seat, 0, len(rm.seats))
	for _, st := range rm.seats {
		seats = append(seats, st)
	}
	rm.mu.Unlock()
	close(rm.done)
	for _, st := range seats {
		st.close(status.code, status.reason, rm.limits.slow+controlWriteTimeout, false)
	}
	return seats
}

// pid is the room's process's, or 0 for a cluster room whose process runs
// on another node.
func (rm *room) pid() int {
	if rm.link != nil {
		return rm.link.pid()
	}
	return rm.proc.pid()
}

// seat gives a client whose upgrade succeeded its seat, and tells a JSON
// process it joined. A room that ended meanwhile closes it at once.
func (rm *room) seat(st *seat, remote, query string) {
	rm.mu.Lock()
	rm.seats[st.id] = st
	rm.all = nil
	status := rm.status
	st.replay(rm.replay.snapshot()) // under the lock a broadcast takes its seats with
	rm.mu.Unlock()
	rm.hub.deps.metrics.roomSeated()
	// The output is read from the first seat on, so that the first client
	// gets the process's first line too.
	rm.running.Do(rm.run)
	if status != nil {
		st.close(status.code, status.reason, controlWriteTimeout, false)
		return
	}
	if event := rm.hub.deps.protocol.joined(st, remote, query); event != nil {
		rm.link.remember(st.id, event) // to tell a new process after a restart
		rm.send(event, websocket.TextMessage)
	}
}

// leave takes a client's seat away, once its last message is sent.
func (rm *room) leave(st *seat) {
	rm.mu.Lock()
	delete(rm.seats, st.id)
	rm.all = nil
	rm.mu.Unlock()
	rm.link.forget(st.id)
	rm.hub.deps.metrics.roomLeft()
	if event := rm.hub.deps.protocol.left(st); event != nil {
		rm.send(event, websocket.TextMessage)
	}
	rm.hub.release(rm)
}

// roomProtocol is what a room's process and its clients say to each
// other: plainRoom, or jsonRoom (room_json.go).
type roomProtocol interface {
	// output carries out one message of the process's output; with
	// more, another is ready at once.
	output(rm *room, kind int, message []byte, more bool)
	// input is a client's message as the process gets it, a copy.
	input(st *seat, message []byte, kind int) ([]byte, int)
	// joined and left are what the process is told of a client coming
	// and going; nil: nothing.
	joined(st *seat, remote, query string) []byte
	left(st *seat) []byte
}

// plainRoom (--room=plain): every message of the output goes to every
// client, and the clients' messages go to the process as they are.
type plainRoom struct{}

func (plainRoom) output(rm *room, kind int, message []byte, more bool) {
	rm.broadcast(kind, message, more)
}

func (plainRoom) input(_ *seat, message []byte, kind int) ([]byte, int) {
	return bytes.Clone(message), kind
}

func (plainRoom) joined(*seat, string, string) []byte { return nil }

func (plainRoom) left(*seat) []byte { return nil }
