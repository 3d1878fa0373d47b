package libwebsocketd

import (
	"errors"
	"io"
	"os"
	"strconv"
	"time"
)

// outbound is everything a backend may do to its client, and all it
// knows of it: the session implements it. A backend sends messages,
// closes, and says when its output side is over; it never touches the
// socket or the session.
type outbound interface {
	// send sends one message of kind; with more, another follows at once.
	// After an error the client is gone: sends are dropped from then on.
	send(kind int, message []byte, more bool) error
	// sendRoom sends batches of a room's messages, framed once for many
	// clients, in order.
	sendRoom(batches []*roomBatch) error
	// limitWrites bounds the writes still to come, and one under way, by
	// the time by: a client that does not read must not hold a writer.
	limitWrites(by time.Time)
	// close sends the close frame and gives the client a moment to answer;
	// the error says the frame did not get out.
	close(code int, reason string) error
	// done says the backend's output side is over; ended is how the
	// backend ended, or nil when it lives on (a room outlives a seat).
	done(ended *exitStatus)
}

// errClientGone answers a send once the client is gone.
var errClientGone = errors.New("client gone")

// The session is its backend's outbound port.

func (s *session) send(kind int, message []byte, more bool) error {
	if s.clientGone.Load() {
		return errClientGone
	}
	return s.wrote(s.sock.writeMessage(kind, message, more))
}

func (s *session) sendRoom(batches []*roomBatch) error {
	if s.clientGone.Load() {
		return errClientGone
	}
	return s.wrote(s.sock.writeRoom(batches))
}

// wrote follows a write: once one fails the client is taken as gone, and
// the socket is closed, which ends the reading side too.
func (s *session) wrote(err error) error {
	if err != nil {
		s.clientGone.Store(true)
		s.sock.close()
	}
	return err
}

func (s *session) limitWrites(by time.Time) { s.sock.limitWrites(by) }

func (s *session) close(code int, reason string) error {
	if s.clientGone.Load() {
		return errClientGone
	}
	if s.closeSent.Swap(true) {
		return nil // the first one said it all
	}
	err := s.sock.writeClose(code, reason)
	s.sock.awaitCloseReply()
	return err
}

// done ends the session's output side: with the backend's end, the last
// stderr lines and the close frame that reports how it ended go first.
func (s *session) done(ended *exitStatus) {
	if ended != nil {
		s.backendEnded(*ended)
	}
	s.pumpDone()
}

func (s *session) backendEnded(status exitStatus) {
	var broken closingError
	switch err := status.outputErr; {
	case errors.As(err, &broken):
		code, _ := broken.closeFrame()
		s.log.Error("closing with "+strconv.Itoa(code), "error", err)
	case readFailed(err):
		s.log.Error("reading stdout", "error", err)
	}
	s.acct.exited(status.state)
	s.logExit(status)
	s.stderr.await()
	s.close(status.code, status.reason)
}

// readFailed reports whether err ended a program's output otherwise than
// at its end (io.EOF) or by its pipe being closed under the reader.
func readFailed(err error) bool {
	return err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed)
}

// closingError is output that the session's codec cannot carry (a broken
// --framed header, a line over the limit): the client gets the close frame
// it names at once, and the program is stopped.
type closingError interface {
	error
	closeFrame() (code int, reason string)
}
