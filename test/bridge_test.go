//go:build !windows

package test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// --connect: websocketd serves each WebSocket connection from a fresh
// connection to a service, which the tests play on loopback or a Unix
// socket in the test's own process.

// startService listens on network ("tcp" on 127.0.0.1, or "unix" in a
// temporary directory) and serves every connection with serve on a
// goroutine of its own. It returns the address as --connect takes it;
// the listener and every connection are closed when the test ends.
func startService(t *testing.T, network string, serve func(net.Conn)) string {
	t.Helper()
	address := "127.0.0.1:0"
	if network == "unix" {
		address = filepath.Join(t.TempDir(), "service.sock")
	}
	l, err := net.Listen(network, address)
	if err != nil {
		t.Fatal(err)
	}
	var served sync.WaitGroup
	t.Cleanup(func() { l.Close(); served.Wait() })
	served.Add(1)
	go func() {
		defer served.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			served.Add(1)
			go func() {
				defer served.Done()
				defer conn.Close()
				serve(conn)
			}()
		}
	}()
	if network == "unix" {
		return "unix:" + address
	}
	return l.Addr().String()
}

// echoService sends back whatever it reads until the client's end.
func echoService(conn net.Conn) { io.Copy(conn, conn) }

// readBinary reads binary messages until n bytes have come.
func readBinary(t *testing.T, client *websocket.Conn, n int) []byte {
	t.Helper()
	var got []byte
	for len(got) < n {
		kind, message, err := client.ReadMessage()
		if err != nil || kind != websocket.BinaryMessage {
			t.Fatalf("after %d bytes: kind %d, %v", len(got), kind, err)
		}
		got = append(got, message...)
	}
	return got
}

func TestConnectEchoesBinary(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			addr := startService(t, network, echoService)
			s := startServer(t, "--connect="+addr)
			client := s.dial("/")
			client.SetReadDeadline(time.Now().Add(readTimeout)) // a failure, not a hang
			payload := randomBytes(300 << 10)                   // more than one read of the service
			if err := client.WriteMessage(websocket.BinaryMessage, payload); err != nil {
				t.Fatal(err)
			}
			if got := readBinary(t, client, len(payload)); string(got) != string(payload) {
				t.Fatalf("echo of %d bytes differs (%d back)", len(payload), len(got))
			}
			client.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
			line := s.awaitLines("DISCONNECT", 1)
			if len(line) != 1 || !strings.Contains(line[0], "connect:'"+addr+"'") ||
				!strings.Contains(line[0], "connection:'still open when the client left, then closed by the service'") {
				t.Fatalf("DISCONNECT line %q", line)
			}
			if strings.Contains(s.out.String(), "pid:") {
				t.Errorf("a bridge session logged a pid:\n%s", s.out)
			}
		})
	}
}

// With --binary=false the service reads and writes lines; a client nobody
// here wrote (python3-websockets) sees them as text messages, and the
// service closing its side ends the session with 1000.
func TestConnectLinesWithPythonClient(t *testing.T) {
	addr := startService(t, "tcp", func(conn net.Conn) {
		lines := bufio.NewScanner(conn)
		for range 2 {
			if !lines.Scan() {
				return
			}
			conn.Write([]byte(strings.ToUpper(lines.Text()) + "\n"))
		}
	})
	s := startServer(t, "--connect="+addr, "--binary=false")
	out := pythonClient(t, s.url("/"), "hello", "world")
	if want := "MESSAGE HELLO\nMESSAGE WORLD\nCLOSE 1000"; out != want {
		t.Fatalf("python client printed %q, want %q", out, want)
	}
}

func TestConnectServiceClosingAtOnceIs1000(t *testing.T) {
	addr := startService(t, "tcp", func(net.Conn) {})
	s := startServer(t, "--connect="+addr)
	client := s.dial("/")
	client.SetReadDeadline(time.Now().Add(readTimeout))
	_, _, err := client.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("read %v, want close 1000", err)
	}
	line := s.awaitLines("DISCONNECT", 1)
	if len(line) != 1 || !strings.Contains(line[0], "connection:'closed by the service'") {
		t.Fatalf("DISCONNECT line %q", line)
	}
}

// Nothing listens: the client gets a plain 502, no upgrade, and the log
// says why; the slot it took is given back (--maxforks=1, twice).
func TestConnectRefusedIs502(t *testing.T) {
	addr := freeAddr(t)
	s := startServer(t, "--connect="+addr, "--maxforks=1")
	for range 2 {
		if status := s.dialStatus("/", nil); status != http.StatusBadGateway {
			t.Fatalf("status %d, want 502\n%s", status, s.out)
		}
	}
	head := curlHead(t, "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
		"-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "http://"+s.addr+"/")
	if !strings.HasPrefix(head, "HTTP/1.1 502") || strings.Contains(head, "Sec-WebSocket-Accept") {
		t.Fatalf("curl got %q, want a plain 502", head)
	}
	if got := s.awaitLines("refused: cannot connect to the service", 3); len(got) != 3 ||
		!strings.Contains(got[0], "connection refused") {
		t.Fatalf("log lines %q\n%s", got, s.out)
	}
}

// freeAddr is a loopback address nothing listened on a moment ago.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// noVNC's way: npm ws offers the "binary" subprotocol, gets it back, and
// its bytes are echoed as binary messages.
const nodeBinaryEcho = `
const WebSocket = require("ws");
const ws = new WebSocket(process.env.URL, ["binary"]);
ws.on("open", () => ws.send(Buffer.from([0, 1, 2, 255])));
ws.on("message", (data, isBinary) => {
  console.log(JSON.stringify({protocol: ws.protocol, binary: isBinary, bytes: [...data]}));
  ws.close();
});
ws.on("error", (err) => { console.error(err); process.exit(1); });
`

func TestConnectAnswersNoVNCsBinarySubprotocol(t *testing.T) {
	addr := startService(t, "tcp", echoService)
	s := startServer(t, "--connect="+addr)
	var got struct {
		Protocol string `json:"protocol"`
		Binary   bool   `json:"binary"`
		Bytes    []int  `json:"bytes"`
	}
	out := runNode(t, nodeBinaryEcho, "URL="+s.url("/websockify"))
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	if got.Protocol != "binary" || !got.Binary || len(got.Bytes) != 4 || got.Bytes[3] != 255 {
		t.Fatalf("node got %+v", got)
	}
}

func TestConnectRefusesWhatNeedsAProcess(t *testing.T) {
	for _, args := range [][]string{
		{"--connect=127.0.0.1:1", "cat"},
		{"--connect=127.0.0.1:1", "--room"},
		{"--connect=127.0.0.1:1", "--terminal"},
		{"--connect=nohost"},
	} {
		s := startProcessOnly(t, append([]string{"--port=0"}, args...)...)
		if code := s.wait(readTimeout); code != 1 || !strings.Contains(s.out.String(), "--connect") {
			t.Errorf("%q: exit %d\n%s", args, code, s.out)
		}
	}
}
