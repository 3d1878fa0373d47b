package libwebsocketd

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// The JSON protocol of --room=json: one object per line both ways (see
// docs/rooms.md). Clients' messages, joins and leaves reach the process
// as events; each line of its output is a command saying who gets what.
type jsonRoom struct{}

func (jsonRoom) output(rm *room, _ int, line []byte, _ bool) { rm.command(line) }

func (jsonRoom) input(st *seat, message []byte, kind int) ([]byte, int) {
	return messageEvent(st.id, message, kind), websocket.TextMessage
}

func (jsonRoom) joined(st *seat, remote, query string) []byte {
	return joinEvent(st.id, remote, query)
}

func (jsonRoom) left(st *seat) []byte {
	code, reason := st.leaveStatus()
	return leaveEvent(st.id, code, reason)
}

// Events to the process.

func joinEvent(client, remote, query string) []byte {
	return eventLine(struct {
		Event  string `json:"event"`
		Client string `json:"client"`
		Remote string `json:"remote"`
		Query  string `json:"query"`
	}{"join", client, remote, query})
}

// messageEvent carries a text message as "data" and a binary one as
// "base64".
func messageEvent(client string, message []byte, kind int) []byte {
	if kind == websocket.BinaryMessage || !utf8.Valid(message) {
		return eventLine(struct {
			Event  string `json:"event"`
			Client string `json:"client"`
			Base64 string `json:"base64"`
		}{"message", client, base64.StdEncoding.EncodeToString(message)})
	}
	return eventLine(struct {
		Event  string `json:"event"`
		Client string `json:"client"`
		Data   string `json:"data"`
	}{"message", client, string(message)})
}

func leaveEvent(client string, code int, reason string) []byte {
	return eventLine(struct {
		Event  string `json:"event"`
		Client string `json:"client"`
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	}{"leave", client, code, reason})
}

// eventLine is an event as a line for the process, without its newline:
// the room's codec ends each line.
func eventLine(event any) []byte {
	line, _ := json.Marshal(event) // strings and ints only: cannot fail
	return line
}

// roomCommand is a line from the process: a message (data or base64) for
// everyone, for the clients in to, or for all but those in except; or the
// closing of one client.
type roomCommand struct {
	Data   *string  `json:"data"`
	Base64 *string  `json:"base64"`
	To     []string `json:"to"`
	Except []string `json:"except"`
	Close  *string  `json:"close"`
	Code   *int     `json:"code"`
	Reason string   `json:"reason"`
}

// parseRoomCommand reads one line of the process's output.
func parseRoomCommand(line []byte) (roomCommand, error) {
	var c roomCommand
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("not a JSON object of the room protocol: %w", err)
	}
	if dec.More() {
		return c, errors.New("more than one JSON value on the line")
	}
	bodies := 0
	for _, set := range []bool{c.Data != nil, c.Base64 != nil, c.Close != nil} {
		if set {
			bodies++
		}
	}
	switch {
	case bodies != 1:
		return c, errors.New(`want exactly one of "data", "base64" and "close"`)
	case c.To != nil && c.Except != nil:
		return c, errors.New(`"to" and "except" cannot go together`)
	case c.Close != nil && (c.To != nil || c.Except != nil):
		return c, errors.New(`"close" takes no "to" or "except"`)
	case c.Close == nil && (c.Code != nil || c.Reason != ""):
		return c, errors.New(`"code" and "reason" go with "close"`)
	case c.Code != nil && !validAppCloseCode(*c.Code):
		return c, fmt.Errorf("close code %d: want 1000 or 3000-4999", *c.Code)
	case len(c.Reason) > 123:
		return c, errors.New("close reason over 123 bytes")
	}
	return c, nil
}

func validAppCloseCode(code int) bool {
	return code == websocket.CloseNormalClosure || (code >= 3000 && code <= 4999)
}

// maxLoggedLine is how much of an invalid line the log shows.
const maxLoggedLine = 80

// command carries out one line of a JSON room's process. A line that is
// not a command is logged and dropped.
func (rm *room) command(line []byte) {
	c, err := parseRoomCommand(line)
	if err != nil {
		rm.log.Error("invalid line from the room's process, dropped", "error", err,
			"line", string(line[:min(len(line), maxLoggedLine)]))
		return
	}
	if c.Close != nil {
		rm.closeClient(c)
		return
	}
	kind, data := websocket.TextMessage, []byte{}
	if c.Data != nil {
		data = []byte(*c.Data)
	} else if data, err = base64.StdEncoding.DecodeString(*c.Base64); err != nil {
		rm.log.Error("invalid base64 from the room's process, dropped", "error", err)
		return
	} else {
		kind = websocket.BinaryMessage
	}
	b := rm.prepare(kind, data)
	seats := rm.targets(c, b) // numbers b first, with --roomreplay
	rm.deliver(b, seats)
}

// targets are the seats a command's message, the batch b, is for. An
// unknown id is ignored: the client may have just left. A message for all but some is
// kept for replay as one for everyone is: a client joining later was
// none of those left out.
func (rm *room) targets(c roomCommand, b *roomBatch) []*seat {
	if c.To == nil && c.Except == nil {
		return rm.everyone(b)
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if c.To != nil {
		targets := make([]*seat, 0, len(c.To))
		for _, id := range c.To {
			st := rm.seats[id]
			switch {
			case st == nil:
				rm.log.Debug("message for an unknown client, ignored", "client", id)
			case !slices.Contains(targets, st): // once each, however often named
				targets = append(targets, st)
			}
		}
		return targets
	}
	rm.keepLocked(b)
	skip := make(map[string]bool, len(c.Except))
	for _, id := range c.Except {
		skip[id] = true
	}
	targets := make([]*seat, 0, len(rm.seats))
	for id, st := range rm.seats {
		if !skip[id] {
			targets = append(targets, st)
		}
	}
	return targets
}

func (rm *room) closeClient(c roomCommand) {
	rm.mu.Lock()
	st := rm.seats[*c.Close]
	rm.mu.Unlock()
	if st == nil {
		rm.log.Debug("close for an unknown client, ignored", "client", *c.Close)
		return
	}
	code := websocket.CloseNormalClosure
	if c.Code != nil {
		code = *c.Code
	}
	rm.log.Debug("the room's process closes a client", "client", st.id, "code", code)
	st.close(code, c.Reason, rm.limits.slow+controlWriteTimeout, false)
}
