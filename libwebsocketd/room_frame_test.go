package libwebsocketd

import (
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

// writesPlainFrames leaves only a client that offered compression to a
// --compress server to gorilla; every other gets a room's frames as they
// are.
func TestWritesPlainFramesOnlyForPlainClients(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compress bool
		offer    string
		plain    bool
	}{
		{name: "no --compress", offer: "permessage-deflate", plain: true},
		{name: "--compress, no offer", compress: true, plain: true},
		{name: "--compress, another extension", compress: true, offer: "x-webkit-deflate-frame", plain: true},
		{name: "--compress and an offer", compress: true, offer: "permessage-deflate; client_max_window_bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.offer != "" {
				r.Header.Set("Sec-WebSocket-Extensions", tc.offer)
			}
			if plain := writesPlainFrames(tc.compress, r); plain != tc.plain {
				t.Errorf("writesPlainFrames = %v, want %v", plain, tc.plain)
			}
		})
	}
}
