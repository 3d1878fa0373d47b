//go:build !windows

package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// The batching ceiling: the strongest in-process server this program can
// build, where each write system call carries everything there is to say.
// Its echo answers every message already read in one write, and its /seq
// fills a 64 KiB buffer before it writes; /fanout is the batching
// broadcaster (batchfanout.go).

// batchingBufferSize is the batching server's read and write buffer per
// connection: a whole 64 KiB message, or a burst of small ones, per system
// call.
const batchingBufferSize = 64 << 10

func batchingMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/seq", func(w http.ResponseWriter, r *http.Request) {
		n, err := queryInt(r, "n", 0, maxSeqLines)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if conn := upgradeRaw(w, r); conn != nil {
			batchingSeq(conn, n)
		}
	})
	room := &batchRoom{}
	mux.HandleFunc("/fanout", room.serve)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if conn := upgradeRaw(w, r); conn != nil {
			batchingEcho(conn)
		}
	})
	return mux
}

// maxSeqLines bounds /seq?n=: a billion lines is a quarter of an hour.
const maxSeqLines = 1_000_000_000

// queryInt reads the query parameter name as an integer from lo to hi.
func queryInt(r *http.Request, name string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%s must be an integer from %d to %d", name, lo, hi)
	}
	return v, nil
}

// upgradeRaw does the handshake with gorilla and hands back the bare
// connection; nil when the handshake failed (gorilla has answered it).
// gorilla rejects a client that sends before its 101, so nothing read is
// left behind in gorilla's buffer.
func upgradeRaw(w http.ResponseWriter, r *http.Request) net.Conn {
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return nil
	}
	return conn.NetConn()
}

// batchingEcho echoes every frame as it came (fragments stay fragments,
// so every message comes back whole and in order). Its answers collect in
// one buffer, and go out only when the next read would have to wait for
// the socket: a burst of messages read together is answered in one write.
func batchingEcho(conn net.Conn) {
	defer conn.Close()
	out := bufio.NewWriterSize(conn, batchingBufferSize)
	frames := frameReader{in: bufio.NewReaderSize(flushBeforeRead{conn, out}, batchingBufferSize)}
	for {
		first, payload, err := frames.next()
		if err != nil {
			out.Write(refusal(err))
			out.Flush()
			return
		}
		switch first & opcodeBits {
		case opPing:
			writeFrame(out, finBit|opPong, payload)
		case opPong:
		case opClose:
			out.Write(closeReply(payload))
			out.Flush()
			return
		default:
			writeFrame(out, first, payload)
		}
	}
}

// flushBeforeRead sends what out holds before it reads: a reader reads
// the socket only once everything it had is handled, so this is where a
// batch ends.
type flushBeforeRead struct {
	conn net.Conn
	out  *bufio.Writer
}

func (f flushBeforeRead) Read(p []byte) (int, error) {
	if f.out.Buffered() > 0 {
		if err := f.out.Flush(); err != nil {
			return 0, err
		}
	}
	return f.conn.Read(p)
}

// writeFrame adds a frame to out, its header built in place. A write
// error sticks in out and ends the connection at its next flush.
func writeFrame(out *bufio.Writer, first byte, payload []byte) {
	out.Write(appendFrameHeader(out.AvailableBuffer(), first, len(payload)))
	out.Write(payload)
}

// batchingSeq sends the lines 1 to n, as `seq n` behind websocketd would,
// 64 KiB at a time, then a close frame, and waits (a few seconds at most)
// for the client's close.
func batchingSeq(conn net.Conn, n int) {
	defer conn.Close()
	out := bufio.NewWriterSize(conn, batchingBufferSize)
	var line []byte
	for i := 1; i <= n; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		writeFrame(out, finBit|opText, line)
	}
	out.Write(closeFrame(closeNormal, ""))
	if out.Flush() != nil {
		return
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	frames := frameReader{in: bufio.NewReaderSize(conn, 512)}
	for {
		first, _, err := frames.next()
		if err != nil || first&opcodeBits == opClose {
			return
		}
	}
}
