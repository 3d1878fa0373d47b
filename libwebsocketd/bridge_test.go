package libwebsocketd

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A --connect session against a service the test plays on loopback: each
// WebSocket client gets a connection of its own, accepted here.

// bridgeServer serves cfg, with Connect set to a service listening on
// loopback, and returns the server's ws:// URL and the service's listener.
func bridgeServer(t *testing.T, cfg Config) (string, net.Listener) {
	t.Helper()
	service, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { service.Close() })
	cfg.Connect = service.Addr().String()
	h, err := NewHandler(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), service
}

// dialBridge connects a client and returns it with the service's end of
// the connection made for it.
func dialBridge(t *testing.T, url string, service net.Listener, dialer *websocket.Dialer) (*websocket.Conn, net.Conn) {
	t.Helper()
	client, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	client.SetReadDeadline(time.Now().Add(10 * time.Second)) // a failure, not a hang
	conn, err := service.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return client, conn
}

// expectClose reads until the close frame and checks its code.
func expectClose(t *testing.T, client *websocket.Conn, code int) {
	t.Helper()
	_, _, err := client.ReadMessage()
	var closeErr *websocket.CloseError
	if !errors.As(err, &closeErr) || closeErr.Code != code {
		t.Fatalf("client read %v, want close %d", err, code)
	}
}

func TestBridgeRelaysBytesBothWays(t *testing.T) {
	url, service := bridgeServer(t, Config{Binary: true})
	client, conn := dialBridge(t, url, service, websocket.DefaultDialer)
	if err := client.WriteMessage(websocket.BinaryMessage, []byte{0, 1, 2, '\n', 0xff}); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(conn, got); err != nil || string(got) != "\x00\x01\x02\n\xff" {
		t.Fatalf("service read %q, %v", got, err)
	}
	if _, err := conn.Write([]byte{0xfe, 0}); err != nil {
		t.Fatal(err)
	}
	kind, message, err := client.ReadMessage()
	if err != nil || kind != websocket.BinaryMessage || string(message) != "\xfe\x00" {
		t.Fatalf("client read %d %q %v", kind, message, err)
	}
	conn.Close() // the service ends the session
	expectClose(t, client, websocket.CloseNormalClosure)
}

func TestBridgeRelaysLinesWithoutBinary(t *testing.T) {
	url, service := bridgeServer(t, Config{})
	client, conn := dialBridge(t, url, service, websocket.DefaultDialer)
	client.WriteMessage(websocket.TextMessage, []byte("hello"))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || line != "hello\n" {
		t.Fatalf("service read %q, %v", line, err)
	}
	conn.Write([]byte("one\ntwo\n"))
	for _, want := range []string{"one", "two"} {
		kind, message, err := client.ReadMessage()
		if err != nil || kind != websocket.TextMessage || string(message) != want {
			t.Fatalf("client read %d %q %v, want %q", kind, message, err, want)
		}
	}
}

// A reset is a broken service, not an end: 1011.
func TestBridgeResetClosesWith1011(t *testing.T) {
	url, service := bridgeServer(t, Config{Binary: true})
	client, conn := dialBridge(t, url, service, websocket.DefaultDialer)
	conn.(*net.TCPConn).SetLinger(0) // close sends RST
	conn.Close()
	expectClose(t, client, websocket.CloseInternalServerErr)
}

// The client leaving half-closes the service's connection: the service
// reads the client's last bytes, then the end, not a reset.
func TestBridgeClientLeavingEndsTheServiceInput(t *testing.T) {
	url, service := bridgeServer(t, Config{Binary: true})
	client, conn := dialBridge(t, url, service, websocket.DefaultDialer)
	client.WriteMessage(websocket.BinaryMessage, []byte("last words"))
	client.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	got, err := io.ReadAll(conn)
	if err != nil || string(got) != "last words" {
		t.Fatalf("service read %q, %v; want the last words, then the end", got, err)
	}
}

func TestBridgeOffersBinaryToClientsThatAsk(t *testing.T) {
	url, service := bridgeServer(t, Config{Binary: true})
	dialer := *websocket.DefaultDialer
	dialer.Subprotocols = []string{"binary", "base64"}
	client, _ := dialBridge(t, url, service, &dialer)
	if got := client.Subprotocol(); got != "binary" {
		t.Fatalf("subprotocol %q, want binary", got)
	}
	// Lines are not what "binary" promises: no subprotocol then.
	url, service = bridgeServer(t, Config{})
	client, _ = dialBridge(t, url, service, &dialer)
	if got := client.Subprotocol(); got != "" {
		t.Fatalf("subprotocol %q with lines, want none", got)
	}
}

// A service that cannot be reached gets the client a 502 and no upgrade,
// and gives back the slots the request took.
func TestBridgeUnreachableServiceIs502(t *testing.T) {
	missing := "unix:" + t.TempDir() + "/nothing.sock"
	h, err := NewHandler(Config{Connect: missing, MaxForks: 1, MaxClients: 1}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 2 { // the second one would get 429 if a slot were kept
		_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("dial: %v, response %v; want 502", err, resp)
		}
	}
}

func TestBridgeEnd(t *testing.T) {
	reset := &os.PathError{Op: "read", Path: "pipe", Err: syscall.ECONNRESET}
	tooBig := &outputTooBigError{what: "a stdout line", limit: 4, reason: "line too long"}
	cases := []struct {
		err    error
		code   int
		detail string
	}{
		{io.EOF, 1000, "closed by the service"},
		{os.ErrClosed, 1000, "closed by websocketd"},
		{&net.OpError{Op: "read", Err: net.ErrClosed}, 1000, "closed by websocketd"},
		{reset, 1011, syscall.ECONNRESET.Error()},
		{errors.New("odd"), 1011, "odd"},
		{tooBig, 1009, tooBig.Error()},
	}
	for _, tc := range cases {
		got := bridgeEnd(tc.err)
		if got.code != tc.code || got.detail != tc.detail || !got.service || got.state != nil {
			t.Errorf("bridgeEnd(%v) = %+v, want code %d, detail %q", tc.err, got, tc.code, tc.detail)
		}
	}
}

func TestParseConnectAddress(t *testing.T) {
	cases := []struct{ addr, network, address string }{
		{"127.0.0.1:5900", "tcp", "127.0.0.1:5900"},
		{"localhost:1", "tcp", "localhost:1"},
		{"[::1]:65535", "tcp", "[::1]:65535"},
		{"unix:/run/vnc.sock", "unix", "/run/vnc.sock"},
		{"unix:rel.sock", "unix", "rel.sock"},
	}
	for _, tc := range cases {
		network, address, err := ParseConnectAddress(tc.addr)
		if err != nil || network != tc.network || address != tc.address {
			t.Errorf("%q: %q %q %v, want %q %q", tc.addr, network, address, err, tc.network, tc.address)
		}
	}
	for _, bad := range []string{"", "5900", ":5900", "host:", "host:0", "host:65536", "host:vnc",
		"host:+80", "host:080", "unix:", "a b:80", "host:80\n", "unix:/x\x00y", "::1:80"} {
		if _, _, err := ParseConnectAddress(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzConnectAddress: any string either is refused or gives a network
// that net.Dial knows and an address of the form it takes.
func FuzzConnectAddress(f *testing.F) {
	for _, seed := range []string{"127.0.0.1:5900", "[::1]:1", "unix:/tmp/s", "unix:", "h:0", "x", "[::1", "a:b:c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		network, address, err := ParseConnectAddress(addr)
		if err != nil {
			return
		}
		switch network {
		case "unix":
			if address == "" || "unix:"+address != addr {
				t.Fatalf("%q gave unix %q", addr, address)
			}
		case "tcp":
			if _, _, err := net.SplitHostPort(address); err != nil || address != addr {
				t.Fatalf("%q gave tcp %q: %v", addr, address, err)
			}
		default:
			t.Fatalf("%q gave network %q", addr, network)
		}
	})
}
