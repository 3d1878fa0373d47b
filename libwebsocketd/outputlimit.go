package libwebsocketd

import (
	"fmt"

	"github.com/gorilla/websocket"
)

// DefaultMaxLineSize is the longest line (or, with --framed, message) a
// child may write when the configuration names no bound: as a line is
// held whole until its end comes, the bound is what one session's output
// may cost in memory.
const DefaultMaxLineSize = 1 << 20

// LargestMaxLineSize is the most --maxlinesize may be: the most a framed
// header can announce.
const LargestMaxLineSize = maxFramedLength

// outputTooBigError is output of the child that goes over --maxlinesize:
// the session ends with 1009 and a log line that says how to allow it.
type outputTooBigError struct {
	what   string // what was too big, for the log
	limit  int
	reason string // for the close frame
}

func (e *outputTooBigError) Error() string {
	return fmt.Sprintf("%s is longer than --maxlinesize=%d bytes (raise --maxlinesize to allow it)",
		e.what, e.limit)
}

// closeFrame makes it a closingError (outbound.go): 1009.
func (e *outputTooBigError) closeFrame() (int, string) {
	return websocket.CloseMessageTooBig, e.reason
}
