package libwebsocketd

import (
	"bytes"
	"encoding/base64"
	"strconv"

	"github.com/gorilla/websocket"
)

// The Server-Sent Events format (the HTML standard, "Server-sent
// events"): an event is field lines, each ended by a line break, and an
// empty line ends the event. A client breaks lines at CRLF, at a lone CR
// and at a lone LF, so a value holding any of them would end its field
// there, and what follows would be read as a field of its own (event:,
// id:, retry:) or, after an empty line, as another event. A program's
// line never holds LF (it ends the line) but may hold CR (progress bars),
// and a room's JSON "data" may hold both.
//
// So each message is one event, and its data field is repeated at each
// line break inside it: the client joins repeated data fields with LF,
// which gives it the message with every CR, LF or CRLF made LF. Nothing
// in a message can reach the start of a field line but the data that
// follows "data: ". Text that is not UTF-8 has its bad bytes replaced by
// U+FFFD, as a client decodes the stream as UTF-8. A binary message (only
// --room=json's "base64" makes one) is an event of type "binary" whose
// data is the message in standard base64.

// sseKeepAliveComment keeps a quiet stream open through proxies that drop
// a silent connection; clients ignore comments.
const sseKeepAliveComment = ": keep-alive\n\n"

// appendEvent appends message as the event numbered id; id 0 has no id
// field.
func appendEvent(dst []byte, id uint64, kind int, message []byte) []byte {
	if id != 0 {
		dst = append(dst, "id: "...)
		dst = strconv.AppendUint(dst, id, 10)
		dst = append(dst, '\n')
	}
	if kind == websocket.BinaryMessage {
		dst = append(dst, "event: binary\ndata: "...)
		dst = base64.StdEncoding.AppendEncode(dst, message)
		return append(dst, "\n\n"...)
	}
	message, _ = validText(websocket.TextMessage, message)
	dst = append(dst, "data: "...)
	for {
		end := bytes.IndexAny(message, "\r\n")
		if end < 0 {
			dst = append(dst, message...)
			return append(dst, "\n\n"...)
		}
		dst = append(dst, message[:end]...)
		if message[end] == '\r' && end+1 < len(message) && message[end+1] == '\n' {
			end++ // CRLF: one line break
		}
		message = message[end+1:]
		dst = append(dst, "\ndata: "...)
	}
}
