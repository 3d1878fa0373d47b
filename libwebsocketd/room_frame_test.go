package libwebsocketd

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// plainServerConn upgrades a loopback connection without compression, has
// prepare run on the server's side of it, and discards what the client
// gets.
func plainServerConn(t *testing.T, prepare func(*websocket.Conn, *http.Request)) *websocket.Conn {
	t.Helper()
	conns := make(chan *websocket.Conn, 1)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			close(conns)
			return
		}
		prepare(conn, r)
		conns <- conn
	}))
	t.Cleanup(server.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(server.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	go func() {
		for {
			_, r, err := client.NextReader()
			if err != nil {
				return
			}
			io.Copy(io.Discard, r)
		}
	}()
	conn := <-conns
	if conn == nil {
		t.FailNow()
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// allocatedBy returns the bytes allocated while do ran.
func allocatedBy(do func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	do()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A room client that does not compress sends the frame NewPreparedMessage
// built, rather than framing a second copy of a megabyte; at gorilla's
// default level it would (the control case, which shows the measure can
// see the copy).
func TestSharePlainFrameSendsTheFrameBuiltUpFront(t *testing.T) {
	data := bytes.Repeat([]byte("room line "), 100000)
	for _, tc := range []struct {
		name   string
		share  bool
		copies bool
	}{{name: "shared", share: true}, {name: "gorilla's default level", copies: true}} {
		t.Run(tc.name, func(t *testing.T) {
			conn := plainServerConn(t, func(conn *websocket.Conn, r *http.Request) {
				if tc.share {
					sharePlainFrame(conn, false, r)
				}
			})
			prepared, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
			if err != nil {
				t.Fatal(err)
			}
			var sendErr error
			allocated := allocatedBy(func() { sendErr = conn.WritePreparedMessage(prepared) })
			if sendErr != nil {
				t.Fatal(sendErr)
			}
			if copied := allocated >= uint64(len(data)); copied != tc.copies {
				t.Errorf("sending %d prepared bytes allocated %d bytes", len(data), allocated)
			}
		})
	}
}

// sharePlainFrame leaves the level of a client that offered compression to
// a --compress server, and sets level 0 for every other.
func TestSharePlainFrameOnlyForPlainClients(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compress bool
		offer    string
		shares   bool
	}{
		{name: "no --compress", offer: "permessage-deflate", shares: true},
		{name: "--compress, no offer", compress: true, shares: true},
		{name: "--compress, another extension", compress: true, offer: "x-webkit-deflate-frame", shares: true},
		{name: "--compress and an offer", compress: true, offer: "permessage-deflate; client_max_window_bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.offer != "" {
				r.Header.Set("Sec-WebSocket-Extensions", tc.offer)
			}
			conn := plainServerConn(t, func(conn *websocket.Conn, _ *http.Request) {
				sharePlainFrame(conn, tc.compress, r)
			})
			prepared, _ := websocket.NewPreparedMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 1<<20))
			allocated := allocatedBy(func() { conn.WritePreparedMessage(prepared) })
			if shared := allocated < 1<<19; shared != tc.shares {
				t.Errorf("shares the frame built up front: %v, want %v (%d bytes allocated)", shared, tc.shares, allocated)
			}
		})
	}
}
