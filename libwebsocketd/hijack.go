package libwebsocketd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
)

// This file leans on how gorilla/websocket's Upgrade treats the hijacked
// connection (v1.5.3, server.go); hijack_test.go fails loudly if a new
// version behaves otherwise:
//   - with Upgrader.ReadBufferSize == 0 it reads the connection through
//     the hijacked *bufio.Reader, if that reader's buffer is over 256
//     bytes, so we can look at what it has read ahead;
//   - every frame it writes, control frames included, goes through the
//     hijacked net.Conn, so our wrapper can batch them (cork.go).

// socketReadBufferSize is the read buffer a connection takes when it
// wakes from parking and no parked reader has lent one back
// (park_socket.go): big enough for a burst of small messages. A quiet
// connection holds none.
const socketReadBufferSize = 2 << 10

// upgradeWriter is the ResponseWriter handed to gorilla's Upgrade: its
// Hijack returns our connection wrapper and reader instead of net/http's.
type upgradeWriter struct {
	http.ResponseWriter
	hijacked
}

// hijacked is what a session keeps of the upgrade: not the ResponseWriter,
// which holds net/http's request and buffers.
type hijacked struct {
	wire   *wireConn
	reader *bufio.Reader
	// plainFrames: the connection sends no compressed frames, so frames
	// built past gorilla may go out through wire as they are: a room's,
	// built once, and a process's output (writesPlainFrames).
	plainFrames bool
}

func (u *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hijacker, ok := u.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("response writer %T cannot be hijacked", u.ResponseWriter)
	}
	conn, rw, err := hijacker.Hijack()
	if err != nil || rw.Reader.Buffered() > 0 {
		return conn, rw, err // gorilla refuses a client that spoke too early
	}
	u.wire = &wireConn{Conn: conn}
	u.reader = lendReader(u.wire, rw.Reader)
	// gorilla only borrows the writer's buffer to write the 101 response.
	return u.wire, bufio.NewReadWriter(u.reader, rw.Writer), nil
}

// Unwrap lets http.ResponseController reach the real writer.
func (u *upgradeWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }
