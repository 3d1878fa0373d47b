package libwebsocketd

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// closeReplyTimeout bounds the wait for the client's answer to our close
// frame; a client that never answers must not hold the session open.
const closeReplyTimeout = time.Second

// controlWriteTimeout bounds writing a ping or close frame to a client that
// does not read.
const controlWriteTimeout = 5 * time.Second

// maxKeptInbox is the largest message buffer that goes back to the pool.
const maxKeptInbox = 256 << 10

// inboxes lend a socket a buffer for each message it reads, so that a
// quiet connection holds none.
var inboxes = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// errInvalidUTF8 ends a session whose client sent a text message that is
// not UTF-8 (RFC 6455 section 8.1: the connection must fail with 1007).
var errInvalidUTF8 = errors.New("text message is not valid UTF-8")

// socket is the WebSocket end of a session. It reads and writes whole
// messages.
type socket struct {
	conn      *websocket.Conn
	inbox     *bytes.Buffer // the message last read, from inboxes; nil between messages
	check     messageCheck  // reads inbox's message, checking it as it comes
	lastKind  int           // the last message's type: websocket.TextMessage or BinaryMessage
	wire      *wireConn     // under conn, batches bursts of frames; may be nil
	rawFrames bool          // frames go to wire as built here, past gorilla (hijacked.plainFrames)
	reader    *bufio.Reader // what gorilla reads through; nil if not ours
	parking   *readerPark   // parks the reader while the client is quiet; may be nil
	keepAlive *keepAlive    // nil without --pingms
	acct      *accounting   // counts messages; nil without --metrics and --idlems
	writeMu   sync.Mutex    // stdout and (with --passstderr) stderr both write
	// writeBy bounds gorilla's writes once set (limitWrites), as Unix
	// nanoseconds; 0: no bound. Read under writeMu.
	writeBy atomic.Int64

	// isControl tells a client's control message (a --terminal resize),
	// which acct does not count as a message, from data; nil: all are data.
	isControl func(message []byte, kind int) bool
}

// newSocket wraps an upgraded connection and what its upgrade hijacked
// (when that is empty, nothing is read ahead or batched).
func newSocket(conn *websocket.Conn, h hijacked) *socket {
	return &socket{conn: conn, wire: h.wire, reader: h.reader,
		rawFrames: h.plainFrames && h.wire != nil}
}

// readMessage returns the next data message, whole (its type is then in
// lastKind). The slice is only valid until the next call. A text message
// that is not UTF-8 fails the connection with 1007 as soon as the
// fragment with the bad bytes arrives (gorilla/websocket leaves that
// check to its user); a message over the read limit once decompressed
// fails it with 1009.
func (s *socket) readMessage() ([]byte, error) {
	s.releaseInbox()
	s.growReadBuffer()
	messageType, r, err := s.conn.NextReader()
	if err != nil {
		return nil, err
	}
	if s.keepAlive != nil {
		s.keepAlive.alive()
	}
	s.lastKind = messageType
	s.inbox = inboxes.Get().(*bytes.Buffer)
	s.check.start(r, messageType == websocket.TextMessage)
	_, err = s.inbox.ReadFrom(&s.check)
	if err == nil {
		err = s.check.end()
	}
	switch {
	case errors.Is(err, errInvalidUTF8):
		s.writeClose(websocket.CloseInvalidFramePayloadData, "invalid UTF-8")
	case errors.Is(err, errInflatedTooBig):
		s.writeClose(websocket.CloseMessageTooBig, "")
	}
	if err != nil {
		return nil, err
	}
	message := s.inbox.Bytes()
	s.countIn(message)
	return message, nil
}

// countIn counts a client message for --metrics and --idlems. A control
// message is no message for the program, so the message counts leave it
// out; for --idlems it is activity all the same: a user who resizes the
// window is at the terminal, and closing the session under them would be
// wrong.
func (s *socket) countIn(message []byte) {
	if s.acct == nil {
		return
	}
	if s.isControl != nil && s.isControl(message, s.lastKind) {
		s.acct.active()
		return
	}
	s.acct.messageIn(len(message))
}

func (s *socket) releaseInbox() {
	if s.inbox == nil {
		return
	}
	if s.inbox.Cap() <= maxKeptInbox { // a huge one is left to the GC
		s.inbox.Reset()
		inboxes.Put(s.inbox)
	}
	s.inbox = nil
}

// moreBuffered reports whether another whole message is already read
// ahead (see hijack.go), so a write to the child's stdin can wait for it.
func (s *socket) moreBuffered() bool {
	return s.reader != nil && wholeMessageBuffered(peekBuffered(s.reader))
}

// writeMessage sends one message of kind. With more, another follows at
// once, and this one may wait to leave with it (see cork.go).
func (s *socket) writeMessage(kind int, data []byte, more bool) error {
	data, _ = validText(kind, data)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.rawFrames {
		err := s.wire.writeFrame(kind, data, more, s.writeBound)
		if err == nil {
			s.acct.messageOut(len(data))
		}
		return err
	}
	s.applyWriteBound()
	s.wire.hold(true)
	err := s.conn.WriteMessage(kind, data)
	s.wire.hold(false)
	if err == nil && !more {
		err = s.wire.flush()
	}
	if err == nil {
		s.acct.messageOut(len(data))
	}
	return err
}

// writeRoom sends a room's batches of messages, framed once for all its
// clients: as they are, in one system call, to a client that does not
// compress; through gorilla, one message at a time, to one that does.
func (s *socket) writeRoom(batches []*roomBatch) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if !s.rawFrames {
		return s.writeRoomMessages(batches)
	}
	frames := make(net.Buffers, 0, len(batches))
	count, payload := 0, 0
	for _, b := range batches {
		frames = append(frames, b.frames)
		count += len(b.messages)
		payload += b.payload
	}
	err := s.wire.writeFrames(frames, s.writeBound)
	if err == nil {
		s.acct.messagesOut(count, payload)
	}
	return err
}

// writeRoomMessages sends a room's messages through gorilla, which
// compresses them for a client that asked (a prepared message is
// compressed once for all such clients).
func (s *socket) writeRoomMessages(batches []*roomBatch) error {
	s.applyWriteBound()
	s.wire.hold(true)
	err := s.writeEachRoomMessage(batches)
	s.wire.hold(false)
	if err == nil {
		err = s.wire.flush()
	}
	return err
}

func (s *socket) writeEachRoomMessage(batches []*roomBatch) error {
	for _, b := range batches {
		for i, m := range b.messages {
			var err error
			if b.prepared != nil {
				err = s.conn.WritePreparedMessage(b.prepared[i])
			} else {
				err = s.conn.WriteMessage(m.kind, b.data(i))
			}
			if err != nil {
				return err
			}
			s.acct.messageOut(m.end - m.start)
		}
	}
	return nil
}

// validText is data as it may go out as a message of kind: text that is
// not UTF-8 has its bad bytes replaced by U+FFFD, as sent as it is it
// would make browsers fail the connection (RFC 6455 section 8.1). copied
// says the result is a new slice.
func validText(kind int, data []byte) (valid []byte, copied bool) {
	if kind == websocket.TextMessage && !utf8.Valid(data) {
		return bytes.ToValidUTF8(data, []byte("\uFFFD")), true
	}
	return data, false
}

// limitWrites bounds the writes to come by by, and one under way: the
// connection's own deadline interrupts that one now (safe from any
// goroutine, unlike gorilla's, which the next write sets from writeBy).
func (s *socket) limitWrites(by time.Time) {
	s.writeBy.Store(by.UnixNano())
	s.conn.UnderlyingConn().SetWriteDeadline(by)
}

func (s *socket) applyWriteBound() {
	if by := s.writeBy.Load(); by != 0 {
		s.conn.SetWriteDeadline(time.Unix(0, by))
	}
}

// writeBound is the deadline of the next write: the bound limitWrites set,
// or none.
func (s *socket) writeBound() time.Time {
	if by := s.writeBy.Load(); by != 0 {
		return time.Unix(0, by)
	}
	return time.Time{}
}

// writeClose sends a close frame. Most callers ignore the error, as the
// socket is ending; it says whether the frame got out.
func (s *socket) writeClose(code int, reason string) error {
	message := websocket.FormatCloseMessage(code, reason)
	return s.conn.WriteControl(websocket.CloseMessage, message, time.Now().Add(controlWriteTimeout))
}

// awaitCloseReply gives the client a moment to answer our close frame; the
// reading pump ends when it does or when the moment is over.
func (s *socket) awaitCloseReply() {
	s.keepAlive.stop()
	by := time.Now().Add(closeReplyTimeout)
	if s.parking != nil {
		s.parking.awaitCloseReply(by) // the deadline only ends a read under way
		return
	}
	s.conn.SetReadDeadline(by)
}

func (s *socket) close() error {
	s.parking.wake() // out of the watcher while the descriptor is still open
	s.keepAlive.stop()
	return s.conn.Close()
}
