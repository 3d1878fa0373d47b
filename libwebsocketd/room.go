package libwebsocketd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
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
// (plus one message each, as a message bigger than the queue still goes
// to an empty one); a message for many clients is framed and held once.
type room struct {
	key  string
	hub  *roomHub
	proc *process
	log  *slog.Logger
	json bool
	// binary relays raw chunks of output in binary messages, and client
	// messages to stdin without a newline.
	binary     bool
	compress   bool // --compress: messages may hold a compressed frame too
	queueLimit int
	slow       time.Duration
	maxLine    int // --maxlinesize

	running sync.Once // starts the goroutines, at the first seat

	in   chan []byte   // client input for writeInput
	done chan struct{} // closed once the process's output has ended

	mu      sync.Mutex
	seats   map[string]*seat // by client id
	all     []*seat          // the seats, for a message to everyone; nil when stale
	members int              // seats, and upgrades under way that will take one
	closed  bool             // takes no new members: stopping or ended
	status  *exitStatus      // how the process ended, once it has
	linger  *time.Timer
}

// run starts the room's goroutines.
func (rm *room) run() {
	go rm.readOutput()
	go rm.writeInput()
	go rm.logStderr()
}

// readOutput is the hub: each message of the process's output goes to its
// clients; at the end of the output the room ends. A line over
// --maxlinesize ends it too: its clients get 1009 once their queues are
// sent, and the process is stopped.
func (rm *room) readOutput() {
	err := rm.relayOutput()
	// No one joins from here on: once the process is reaped, the next
	// connection must find no room and start a new one.
	rm.hub.forget(rm)
	var tooBig *outputTooBigError
	if !errors.As(err, &tooBig) {
		rm.end(rm.proc.end())
		return
	}
	rm.log.Error("closing the room's clients with 1009", "error", err)
	go rm.proc.stop() // its output is read no more; end reaps it
	status := rm.proc.end()
	status.code, status.reason = websocket.CloseMessageTooBig, tooBig.reason
	rm.end(status)
}

// relayOutput hands each message of the process's output to its clients
// until the output ends, and returns how it ended.
func (rm *room) relayOutput() error {
	frames := rm.frameReader()
	for {
		message, err := frames.next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) && !isOutputTooBig(err) {
				rm.log.Error("reading the room's stdout", "error", err)
			}
			return err
		}
		if rm.json {
			rm.command(message)
		} else {
			rm.deliver(rm.prepare(websocket.TextMessage, message), rm.everyone())
		}
	}
}

func (rm *room) frameReader() frameReader {
	if rm.binary {
		return newChunkReader(rm.proc.output())
	}
	return newLineReader(rm.proc.output(), rm.maxLine)
}

// What a queued message holds, as counted against --roomqueue (measured
// with gorilla/websocket v1.5.3): NewPreparedMessage frames the message
// at once, the data being the frame's tail, in a buffer up to a sixteenth
// bigger; the structures around it take some 400 bytes. With --compress,
// the first send to a client that compresses adds a compressed frame:
// data that does not deflate stays about its size, in a buffer grown by
// doubling, so up to twice that, plus some 110 bytes.
const preparedOverhead = 512

func (rm *room) messageSize(length int) int {
	size := length + length/16 + preparedOverhead
	if rm.compress {
		size += 9*length/4 + 128
	}
	return size
}

// prepare frames a message once for all its clients. data is copied: the
// frame reader reuses its buffer.
func (rm *room) prepare(kind int, data []byte) roomMessage {
	if rm.binary {
		kind = websocket.BinaryMessage
	}
	if kind == websocket.TextMessage && !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD")) // see socket.writeMessage
	} else {
		data = bytes.Clone(data)
	}
	// It cannot fail: it frames the plain message into a buffer (the
	// compressed frame comes later, at the first send that needs it).
	prepared, _ := websocket.NewPreparedMessage(kind, data)
	return roomMessage{prepared: prepared, length: len(data), size: rm.messageSize(len(data))}
}

// deliver queues m for each target in turn, waiting for a full queue until
// its client catches up or is too slow.
func (rm *room) deliver(m roomMessage, targets []*seat) {
	for _, st := range targets {
		for !st.offer(m) {
			if !st.awaitSpace() {
				// Whether the close frame gets out is logged later
				// (seat.logTooSlowEnd): the client may not read it.
				rm.log.Log(nil, LevelInfo, "room client too slow, closing it",
					"client", st.id, "queued_bytes", rm.queueLimit)
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

// everyone returns the room's seats. The slice is shared and never
// changed: a join or leave makes the next call build a new one, so a line
// for a thousand clients costs no copy of the list.
func (rm *room) everyone() []*seat {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.all == nil {
		rm.all = make([]*seat, 0, len(rm.seats))
		for _, st := range rm.seats {
			rm.all = append(rm.all, st)
		}
	}
	return rm.all
}

// writeInput writes the clients' messages to the process's stdin, one
// whole message at a time in the order they come: the channel takes its
// senders in turn, so a client that floods waits behind the others, and a
// full stdin leaves the senders blocked, which stops them reading their
// sockets (TCP pushes back on them alone). Messages that come together are
// written in one go.
func (rm *room) writeInput() {
	w := bufio.NewWriterSize(rm.proc.stdin, stdoutBufferSize)
	for {
		var message []byte
		select {
		case message = <-rm.in:
		default:
			w.Flush() // nothing more waiting: hand over the burst
			select {
			case message = <-rm.in:
			case <-rm.done:
				return
			}
		}
		w.Write(message) // after an error the writer keeps it and drops the rest
	}
}

// send hands one message to writeInput; it returns false once the room
// has ended.
func (rm *room) send(message []byte) bool {
	select {
	case rm.in <- message:
		return true
	case <-rm.done:
		return false
	}
}

// fromClient takes a client's message for the process.
func (rm *room) fromClient(st *seat, message []byte, kind int) {
	if rm.json {
		rm.send(messageEvent(st.id, message, kind))
		return
	}
	line := make([]byte, len(message), len(message)+1)
	copy(line, message)
	if !rm.binary {
		line = append(line, '\n')
	}
	rm.send(line)
}

func (rm *room) logStderr() {
	lines := newStderrLines(newLazyInput(rm.proc.errorOutput()), rm.maxLine)
	defer rm.proc.errorOutput().Close()
	for {
		line, err := lines.next()
		if err != nil {
			return
		}
		rm.log.Error(string(line), "category", "stderr")
	}
}

// end follows the end of the process: every client still there gets the
// close frame with its exit status once its queue is sent, and the next
// connection to the path starts a new process.
func (rm *room) end(status exitStatus) {
	rm.mu.Lock()
	rm.closed, rm.status = true, &status
	seats := make([]*seat, 0, len(rm.seats))
	for _, st := range rm.seats {
		seats = append(seats, st)
	}
	rm.mu.Unlock()
	close(rm.done)
	rm.log.Info("room process ended", "status", status.detail, "clients", len(seats))
	for _, st := range seats {
		st.close(status.code, status.reason, rm.slow+controlWriteTimeout, false)
	}
	rm.hub.ended(status)
}

// seat gives a client whose upgrade succeeded its seat, and tells a JSON
// process it joined. A room that ended meanwhile closes it at once.
func (rm *room) seat(st *seat, remote, query string) {
	rm.mu.Lock()
	rm.seats[st.id] = st
	rm.all = nil
	status := rm.status
	rm.mu.Unlock()
	rm.hub.h.cfg.Metrics.roomSeated()
	// The output is read from the first seat on, so that the first client
	// gets the process's first line too.
	rm.running.Do(rm.run)
	if status != nil {
		st.close(status.code, status.reason, controlWriteTimeout, false)
		return
	}
	if rm.json {
		rm.send(joinEvent(st.id, remote, query))
	}
}

// leave takes a client's seat away, once its last message is sent.
func (rm *room) leave(st *seat) {
	rm.mu.Lock()
	delete(rm.seats, st.id)
	rm.all = nil
	rm.mu.Unlock()
	rm.hub.h.cfg.Metrics.roomLeft()
	if rm.json {
		code, reason := st.leaveStatus()
		rm.send(leaveEvent(st.id, code, reason))
	}
	rm.hub.release(rm)
}
