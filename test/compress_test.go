//go:build !windows

package test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// compressibleText is the 1 MB of repetitive text the compression tests
// echo, as Go and JavaScript build it.
const (
	compressibleSize = 1000000
	compressibleLine = "websocketd relays this line again and again. "
	compressibleJS   = `"` + compressibleLine + `".repeat(30000).slice(0, 1000000)`
)

func compressibleText() string {
	return strings.Repeat(compressibleLine, 30000)[:compressibleSize]
}

// nodeEcho sends the text with npm ws and reports what came back.
const nodeEcho = `
const WebSocket = require("ws");
const text = ` + compressibleJS + `;
const ws = new WebSocket(process.env.URL, {perMessageDeflate: process.env.DEFLATE === "1"});
let extensions = "";
ws.on("upgrade", (res) => { extensions = res.headers["sec-websocket-extensions"] || ""; });
ws.on("open", () => ws.send(text));
ws.on("message", (data, isBinary) => {
  console.log(JSON.stringify({extensions, same: !isBinary && data.toString() === text}));
  ws.close();
});
ws.on("close", (code) => { console.log(JSON.stringify({closed: code})); });
ws.on("error", (err) => { console.error(err); process.exit(1); });
`

// nodeResult is one line of nodeEcho's output.
type nodeResult struct {
	Extensions string `json:"extensions"`
	Same       bool   `json:"same"`
	Closed     int    `json:"closed"`
}

func runNodeEcho(t *testing.T, url string, deflate bool) (echo, closed nodeResult) {
	t.Helper()
	flag := "0"
	if deflate {
		flag = "1"
	}
	out := runNode(t, nodeEcho, "URL="+url, "DEFLATE="+flag)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 1 {
		lines = append([]string{"{}"}, lines...) // closed without an echo
	}
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &echo) != nil ||
		json.Unmarshal([]byte(lines[1]), &closed) != nil {
		t.Fatalf("node printed %q", out)
	}
	return echo, closed
}

// npm ws with perMessageDeflate gets 1 MB of text echoed through cat,
// compressed both ways, as the bytes on the wire show; a client or a
// server that does not ask for compression still gets the plain echo.
func TestCompressWithNodeWS(t *testing.T) {
	for _, tc := range []struct {
		name       string
		flags      []string
		deflate    bool
		compressed bool
	}{
		{name: "both ask", flags: []string{"--compress"}, deflate: true, compressed: true},
		{name: "level 9", flags: []string{"--compress", "--compresslevel=9"}, deflate: true, compressed: true},
		{name: "client does not ask", flags: []string{"--compress"}, deflate: false},
		{name: "server does not offer", deflate: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, append(tc.flags, "cat")...)
			proxy := startCountingProxy(t, s.addr)
			echo, closed := runNodeEcho(t, "ws://"+proxy.addr+"/", tc.deflate)
			if !echo.Same || closed.Closed != 1005 && closed.Closed != 1000 {
				t.Fatalf("echo came back the same: %v; closed with %d\n%s", echo.Same, closed.Closed, s.out)
			}
			negotiated := strings.HasPrefix(echo.Extensions, "permessage-deflate")
			if negotiated != tc.compressed {
				t.Errorf("Sec-WebSocket-Extensions %q, want compression %v", echo.Extensions, tc.compressed)
			}
			checkWireBytes(t, proxy, tc.compressed)
		})
	}
}

// checkWireBytes checks what 1 MB sent and echoed cost on the wire: a
// tenth of it at most when compressed, all of it when not.
func checkWireBytes(t *testing.T, proxy *countingProxy, compressed bool) {
	t.Helper()
	payload := int64(2 * compressibleSize)
	wire := proxy.total()
	t.Logf("%d bytes on the wire for %d bytes of messages", wire, payload)
	if compressed && wire > payload/10 || !compressed && wire < payload {
		t.Errorf("%d bytes on the wire for %d bytes of messages (compressed: %v)", wire, payload, compressed)
	}
}

// A client that does not offer compression gets plain frames from a
// --compress server: gorilla's own client, frame by frame.
func TestCompressPlainClient(t *testing.T) {
	s := startServer(t, "--compress", "cat")
	proxy := startCountingProxy(t, s.addr)
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+proxy.addr+"/", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if got := resp.Header.Get("Sec-WebSocket-Extensions"); got != "" {
		t.Errorf("answered Sec-WebSocket-Extensions %q to a client that offered none", got)
	}
	text := compressibleText()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	_, echo, err := conn.ReadMessage()
	if err != nil || string(echo) != text {
		t.Fatalf("echo of %d bytes: %d bytes back, %v", len(text), len(echo), err)
	}
	checkWireBytes(t, proxy, false)
}

// --maxframesize bounds a message once inflated, not only its compressed
// bytes: 1 MB that deflates to a few KB is still over 64 KiB.
func TestCompressLimitAppliesInflated(t *testing.T) {
	s := startServer(t, "--compress", "--maxframesize=65536", "cat")
	echo, closed := runNodeEcho(t, s.url("/"), true)
	if echo.Same || closed.Closed != 1009 {
		t.Fatalf("echoed: %v, closed with %d; want no echo and 1009\n%s", echo.Same, closed.Closed, s.out)
	}
	s.waitNoChildren(readTimeout)
}
