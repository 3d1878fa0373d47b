//go:build !windows

package test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// protocolEnv is a child that tells which subprotocol it serves and what
// the client offered, and leaves a mark that it ran at all.
func protocolEnv(t *testing.T) (child, ranMark string) {
	ranMark = filepath.Join(t.TempDir(), "ran")
	child = script(t, "protocol.sh",
		"touch "+ranMark+"\necho \"chosen=$WEBSOCKET_PROTOCOL offered=$HTTP_SEC_WEBSOCKET_PROTOCOL\"\n")
	return child, ranMark
}

// The server's order of preference decides, among what the client offers.
func TestSubprotocolChosenInServerOrder(t *testing.T) {
	child, _ := protocolEnv(t)
	s := startServer(t, "--subprotocol=v1.chat,v2.chat", child)
	dialer := websocket.Dialer{Subprotocols: []string{"v2.chat", "v1.chat"}}
	conn, resp, err := dialer.Dial(s.url("/"), nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)\n%s", err, resp, s.out)
	}
	defer conn.Close()
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "v1.chat" {
		t.Errorf("answered Sec-WebSocket-Protocol %q, want v1.chat", got)
	}
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	_, line, err := conn.ReadMessage()
	if want := "chosen=v1.chat offered=v2.chat, v1.chat"; err != nil || string(line) != want {
		t.Errorf("the child said %q (%v), want %q", line, err, want)
	}
}

// Debian's python3-websockets sees the protocol it asked for.
func TestSubprotocolWithPythonWebsockets(t *testing.T) {
	child, _ := protocolEnv(t)
	s := startServer(t, "--subprotocol=v1.chat,v2.chat", "--subprotocolrequired", child)
	out := runPythonWebsockets(t, `
import asyncio, os, websockets
async def main():
    async with websockets.connect(os.environ["URL"], subprotocols=["v2.chat"]) as ws:
        print(ws.subprotocol)
        print(await ws.recv())
asyncio.run(main())
`, "URL="+s.url("/"))
	want := "v2.chat\nchosen=v2.chat offered=v2.chat\n"
	if string(out) != want {
		t.Errorf("python3-websockets printed %q, want %q", out, want)
	}
}

// Refusals come before any process starts: a plain 400, a log line that
// says why, and the child never ran.
func TestSubprotocolRefusedWith400(t *testing.T) {
	for _, tc := range []struct {
		name, offer, logged string
		flags               []string
	}{
		{name: "no protocol in common", offer: "v3.chat, mqtt",
			logged: `no subprotocol in common: client offers "v3.chat, mqtt"`},
		{name: "none offered but one required", flags: []string{"--subprotocolrequired"},
			logged: "client offers no subprotocol and --subprotocolrequired is set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			child, ranMark := protocolEnv(t)
			args := append([]string{"--subprotocol=v1.chat,v2.chat"}, tc.flags...)
			s := startServer(t, append(args, child)...)
			header := http.Header{}
			if tc.offer != "" {
				header.Set("Sec-WebSocket-Protocol", tc.offer)
			}
			if status := s.dialStatus("/", header); status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", status)
			}
			waitFor(t, readTimeout, "the refusal's log line", func() bool {
				return len(s.out.lines(tc.logged)) > 0
			})
			if _, err := os.Stat(ranMark); err == nil {
				t.Error("the child ran for a refused client")
			}
		})
	}
}

// A client that offers nothing is served without a protocol, unless one
// is required.
func TestSubprotocolNoneOffered(t *testing.T) {
	child, _ := protocolEnv(t)
	s := startServer(t, "--subprotocol=v1.chat", child)
	conn, resp, err := websocket.DefaultDialer.Dial(s.url("/"), nil)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, s.out)
	}
	defer conn.Close()
	if got, ok := resp.Header["Sec-Websocket-Protocol"]; ok {
		t.Errorf("answered Sec-WebSocket-Protocol %q to a client that offered none", got)
	}
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	_, line, err := conn.ReadMessage()
	if err != nil || !strings.HasPrefix(string(line), "chosen= ") {
		t.Errorf("the child said %q (%v), want no protocol chosen", line, err)
	}
}

// Bad values of the protocol flags stop the server at once: exit 1 and a
// message that names the flag.
func TestProtocolFlagsBadValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--subprotocol=a b", "cat"}, `--subprotocol: "a b" is not a protocol name`},
		{[]string{"--compress", "--compresslevel=12", "cat"}, "--compresslevel must be from 1 to 9"},
		{[]string{"--framed", "--binary", "cat"}, "--framed cannot be combined with --binary"},
	} {
		s := startProcessOnly(t, tc.args...)
		if code := s.wait(startTimeout); code != 1 || !strings.Contains(s.out.String(), tc.says) {
			t.Errorf("%q: exit %d, output %q; want 1 and %q", tc.args, code, s.out, tc.says)
		}
	}
}
