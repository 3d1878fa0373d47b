//go:build !windows

package test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Rooms with --compress: a room frames each message once for all its
// clients; those that negotiated permessage-deflate get it compressed, the
// others plain, and every one of them gets every message, byte for byte
// and in order.
//
// The room runs cat, so what a client sends comes back to everyone, and
// the test's own plain client, the leader, drives the others through it:
// "send NAME" has that member send its payloads; the leader waits for
// them to come back before the next step, so the order is known. Every
// member records what it hears between "start" and "end".

// heard is one message a member got: its kind and its data.
type heard struct {
	Binary bool   `json:"binary"`
	Data   []byte `json:"data"` // base64 in JSON
}

// pythonMember and nodeMember are room members in python3-websockets and
// npm ws, both of which offer permessage-deflate. Each prints the
// Sec-WebSocket-Extensions it was answered, then a line per message heard.
const pythonMember = `
import asyncio, base64, json, os, websockets

async def main():
    name = os.environ["NAME"].encode()
    binary = os.environ["BINARY"] == "1"
    with open(os.environ["PAYLOADS"]) as f:
        payloads = [base64.b64decode(p) for p in json.load(f)]
    outgoing = lambda data: data if binary else data.decode()
    async with websockets.connect(os.environ["URL"], max_size=None) as ws:
        print(json.dumps({"extensions": ws.response_headers.get("Sec-WebSocket-Extensions", "")}))
        await ws.send(outgoing(b"hello " + name))
        recording = False
        async for message in ws:
            is_binary = isinstance(message, bytes)
            data = message if is_binary else message.encode()
            if data == b"end":
                break
            if recording:
                print(json.dumps({"binary": is_binary, "data": base64.b64encode(data).decode()}))
            recording = recording or data == b"start"
            if data == b"send " + name:
                for payload in payloads:
                    await ws.send(outgoing(payload))

asyncio.run(main())
`

const nodeMember = `
const WebSocket = require("ws");
const fs = require("fs");
const name = process.env.NAME, binary = process.env.BINARY === "1";
const payloads = JSON.parse(fs.readFileSync(process.env.PAYLOADS, "utf8")).map((p) => Buffer.from(p, "base64"));
const outgoing = (data) => (binary ? data : data.toString("utf8"));
const is = (data, text) => data.equals(Buffer.from(text));
const ws = new WebSocket(process.env.URL, {perMessageDeflate: true});
let recording = false;
ws.on("upgrade", (res) => {
  console.log(JSON.stringify({extensions: res.headers["sec-websocket-extensions"] || ""}));
});
ws.on("open", () => ws.send(outgoing(Buffer.from("hello " + name))));
ws.on("message", (data, isBinary) => {
  if (is(data, "end")) {
    ws.close(1000);
    return;
  }
  if (recording) console.log(JSON.stringify({binary: isBinary, data: data.toString("base64")}));
  recording = recording || is(data, "start");
  if (is(data, "send " + name)) payloads.forEach((p) => ws.send(outgoing(p)));
});
ws.on("error", (err) => { console.error(err); process.exit(1); });
`

// member is one client of the room, seen from the test.
type member struct {
	name     string
	compress bool // offers permessage-deflate
	proxy    *countingProxy
	payloads [][]byte
	report   func() memberReport // waits for the member to finish
}

// memberReport is what a member was answered and heard.
type memberReport struct {
	extensions string
	heard      []heard
}

// roomPayloads is what a member sends: short lines, the 1 MB of
// compressible text, and for a binary room bytes that are not UTF-8 and
// some that do not compress.
func roomPayloads(name string, binary bool) [][]byte {
	if binary {
		return [][]byte{[]byte("\x00\x01\xff from " + name), []byte(compressibleText()), randomBytes(16 << 10)}
	}
	return [][]byte{[]byte("hello from " + name), []byte("grüße ✓ from " + name), []byte(compressibleText())}
}

func TestRoomCompressEveryClientGetsEveryMessage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		flags  []string
		binary bool
	}{
		{name: "text", flags: []string{"--compress"}},
		{name: "level 9", flags: []string{"--compress", "--compresslevel=9"}},
		{name: "binary", flags: []string{"--compress", "--binary"}, binary: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The members are slowed by the race detector and their own
			// printing; being closed as too slow is not what is tested here.
			flags := append([]string{"--room", "--roomslowms=60000"}, tc.flags...)
			s := startServer(t, append(flags, "cat")...)
			checkRoomCompress(t, s, tc.binary)
		})
	}
}

// checkRoomCompress has a plain leader, a compressing gorilla client,
// python3-websockets and npm ws in one room, each sending its payloads in
// turn, and checks what each heard and what crossed the wire.
func checkRoomCompress(t *testing.T, s *server, binary bool) {
	leader := &member{name: "leader", proxy: startCountingProxy(t, s.addr), payloads: roomPayloads("leader", binary)}
	conn, extensions := dialMember(t, leader)
	members := []*member{leader,
		{name: "gorilla", compress: true}, {name: "python", compress: true}, {name: "node", compress: true}}
	for _, m := range members[1:] {
		m.proxy = startCountingProxy(t, s.addr)
		m.payloads = roomPayloads(m.name, binary)
		startMember(t, m, binary)
	}
	transcript := lead(t, conn, members, binary)
	if extensions != "" {
		t.Errorf("the leader offered no compression and was answered Sec-WebSocket-Extensions %q", extensions)
	}
	for _, m := range members[1:] {
		got := m.report()
		if !strings.HasPrefix(got.extensions, "permessage-deflate") {
			t.Errorf("%s was answered Sec-WebSocket-Extensions %q, want permessage-deflate", m.name, got.extensions)
		}
		compareHeard(t, m.name, got.heard, transcript)
	}
	checkRoomWire(t, members, transcript)
}

// dialMember connects m through its proxy with gorilla's client, and
// returns the Sec-WebSocket-Extensions it was answered.
func dialMember(t *testing.T, m *member) (*websocket.Conn, string) {
	t.Helper()
	dialer := websocket.Dialer{EnableCompression: m.compress, HandshakeTimeout: readTimeout}
	conn, resp, err := dialer.Dial("ws://"+m.proxy.addr+"/room", nil)
	if err != nil {
		t.Fatalf("%s: dial: %v", m.name, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, resp.Header.Get("Sec-WebSocket-Extensions")
}

// startMember starts m, which says hello once it is in the room.
func startMember(t *testing.T, m *member, binary bool) {
	t.Helper()
	if m.name == "gorilla" {
		conn, extensions := dialMember(t, m)
		done := make(chan memberReport, 1)
		go func() { done <- memberReport{extensions, follow(t, conn, m, binary)} }()
		m.report = func() memberReport { return <-done }
		return
	}
	payloads, err := json.Marshal(m.payloads)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "payloads.json")
	if err := os.WriteFile(file, payloads, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"URL=ws://" + m.proxy.addr + "/room", "NAME=" + m.name, "PAYLOADS=" + file, "BINARY=0"}
	if binary {
		env[3] = "BINARY=1"
	}
	var client *runningClient
	if m.name == "python" {
		client = startClient(t, env, debianPython(t), "-c", pythonMember)
	} else {
		client = startNode(t, nodeMember, env...)
	}
	m.report = func() memberReport { return parseMemberOutput(t, m.name, client.wait(t)) }
}

// follow is the gorilla member: it does what pythonMember and nodeMember
// do, on the test's side.
func follow(t *testing.T, conn *websocket.Conn, m *member, binary bool) []heard {
	kind := messageKind(binary)
	var got []heard
	recording := false
	if err := conn.WriteMessage(kind, []byte("hello "+m.name)); err != nil {
		t.Errorf("%s: %v", m.name, err)
		return nil
	}
	for {
		conn.SetReadDeadline(time.Now().Add(readTimeout))
		messageType, data, err := conn.ReadMessage()
		if err != nil {
			t.Errorf("%s: read: %v", m.name, err)
			return got
		}
		switch {
		case string(data) == "end":
			return got
		case recording:
			got = append(got, heard{messageType == websocket.BinaryMessage, data})
		}
		recording = recording || string(data) == "start"
		if string(data) == "send "+m.name {
			for _, payload := range m.payloads {
				if err := conn.WriteMessage(kind, payload); err != nil {
					t.Errorf("%s: write: %v", m.name, err)
				}
			}
		}
	}
}

func messageKind(binary bool) int {
	if binary {
		return websocket.BinaryMessage
	}
	return websocket.TextMessage
}

// parseMemberOutput reads an outside member's lines: the extensions it was
// answered, then what it heard.
func parseMemberOutput(t *testing.T, name string, out []byte) memberReport {
	t.Helper()
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	var first struct{ Extensions string }
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatalf("%s printed %.200q first: %v", name, lines[0], err)
	}
	report := memberReport{extensions: first.Extensions}
	for _, line := range lines[1:] {
		var h heard
		if err := json.Unmarshal(line, &h); err != nil {
			t.Fatalf("%s printed %.200q: %v", name, line, err)
		}
		report.heard = append(report.heard, h)
	}
	return report
}

// lead drives the room as its leader: it waits for every member's hello,
// has each member send its payloads in turn, waiting for them to come
// back, and returns what it heard in between, checked against what was
// sent.
// It is no test helper: a failure's line says which step it was at.
func lead(t *testing.T, conn *websocket.Conn, members []*member, binary bool) []heard {
	kind := messageKind(binary)
	awaitHellos(t, conn, members[1:])
	send(t, conn, kind, "start")
	expectBytes(t, conn, "start")
	var sent [][]byte
	var transcript []heard
	for _, m := range members {
		if m == members[0] {
			for _, payload := range m.payloads {
				send(t, conn, kind, string(payload))
			}
		} else {
			order := "send " + m.name
			send(t, conn, kind, order)
			sent = append(sent, []byte(order))
			transcript = append(transcript, readBytes(t, conn, len(order))...)
		}
		sent = append(sent, m.payloads...)
		transcript = append(transcript, readBytes(t, conn, totalLen(m.payloads))...)
	}
	send(t, conn, kind, "end")
	expectBytes(t, conn, "end")
	checkTranscript(t, transcript, sent, binary)
	return transcript
}

// awaitHellos reads until every member has said hello. In a binary room
// two hellos may come in one chunk, so it looks at the bytes, not the
// messages.
func awaitHellos(t *testing.T, conn *websocket.Conn, members []*member) {
	var got []byte
	for _, m := range members {
		for !bytes.Contains(got, []byte("hello "+m.name)) {
			_, data := receive(t, conn)
			got = append(got, data...)
		}
	}
}

// readBytes reads messages until they hold n bytes. The leader waits for
// each step to come back before the next, so no message holds more.
func readBytes(t *testing.T, conn *websocket.Conn, n int) []heard {
	t.Helper()
	var got []heard
	for total := 0; total < n; {
		kind, data := receive(t, conn)
		got = append(got, heard{kind == websocket.BinaryMessage, []byte(data)})
		total += len(data)
		if total > n {
			t.Fatalf("got %d bytes, want %d; the last message: %.80q", total, n, data)
		}
	}
	return got
}

// expectBytes reads one message, of either kind, and checks its data.
func expectBytes(t *testing.T, conn *websocket.Conn, want string) {
	t.Helper()
	if _, got := receive(t, conn); got != want {
		t.Fatalf("got %.80q, want %q", got, want)
	}
}

func totalLen(messages [][]byte) int {
	n := 0
	for _, message := range messages {
		n += len(message)
	}
	return n
}

// checkTranscript checks what the leader heard against what was sent: the
// same messages in a text room; in a binary room, the same bytes in
// binary messages, cut wherever the process's output was read.
func checkTranscript(t *testing.T, transcript []heard, sent [][]byte, binary bool) {
	t.Helper()
	if !binary {
		want := make([]heard, len(sent))
		for i, data := range sent {
			want[i] = heard{Data: data}
		}
		compareHeard(t, "the leader", transcript, want)
		return
	}
	var got []byte
	for _, h := range transcript {
		if !h.Binary {
			t.Fatalf("a text message %.80q in a binary room", h.Data)
		}
		got = append(got, h.Data...)
	}
	if want := bytes.Join(sent, nil); !bytes.Equal(got, want) {
		t.Fatalf("the leader heard %d bytes, not the %d sent", len(got), len(want))
	}
}

// compareHeard checks that who heard exactly the messages of want.
func compareHeard(t *testing.T, who string, got, want []heard) {
	t.Helper()
	for i := range min(len(got), len(want)) {
		if got[i].Binary != want[i].Binary || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Fatalf("%s: message %d is %.80q (%d bytes, binary %v), want %.80q (%d bytes, binary %v)", who, i,
				got[i].Data, len(got[i].Data), got[i].Binary, want[i].Data, len(want[i].Data), want[i].Binary)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s heard %d messages, want %d", who, len(got), len(want))
	}
}

// checkRoomWire checks, from the bytes that crossed each member's proxy,
// that the compressing members were sent compressed frames and sent
// compressed frames themselves: a quarter of the plain leader's bytes at
// most, where nearly everything is the compressible megabyte.
func checkRoomWire(t *testing.T, members []*member, transcript []heard) {
	t.Helper()
	messages := 0
	for _, h := range transcript {
		messages += len(h.Data)
	}
	plain := members[0].proxy.toClient.Load()
	for _, m := range members {
		received, sent := m.proxy.toClient.Load(), m.proxy.toServer.Load()
		t.Logf("%-7s %8d bytes from the server for %d bytes of messages; %8d bytes to it for %d bytes of payloads",
			m.name, received, messages, sent, totalLen(m.payloads))
		switch {
		case !m.compress && (received < int64(messages) || sent < int64(totalLen(m.payloads))):
			t.Errorf("%s: fewer bytes on the wire than in its messages without compression", m.name)
		case m.compress && received*4 > plain:
			t.Errorf("%s was sent %d bytes, the plain leader %d: not compressed", m.name, received, plain)
		case m.compress && sent*4 > int64(totalLen(m.payloads)):
			t.Errorf("%s sent %d bytes for %d bytes of payloads: not compressed", m.name, sent, totalLen(m.payloads))
		}
	}
}

// --room=json with --compress: what a compressing client sends reaches the
// process whole, and a message "to" that client alone goes to it alone,
// compressed, while a plain client in the room gets the rest plain.
func TestRoomJSONCompressToOneClient(t *testing.T) {
	s := startServer(t, "--room=json", "--compress", "--roomslowms=60000", pythonScript(t, "room.py", jsonRoomProgram))
	zip := &member{name: "compressing", compress: true, proxy: startCountingProxy(t, s.addr)}
	plain := &member{name: "plain", proxy: startCountingProxy(t, s.addr)}
	zipConn, zipExtensions := dialMember(t, zip)
	idZip := expectEvent(t, zipConn, "join").Client
	plainConn, plainExtensions := dialMember(t, plain)
	expectEvent(t, zipConn, "join")
	expectEvent(t, plainConn, "join")
	if !strings.HasPrefix(zipExtensions, "permessage-deflate") || plainExtensions != "" {
		t.Fatalf("Sec-WebSocket-Extensions %q for the compressing client, %q for the plain one", zipExtensions, plainExtensions)
	}

	big := compressibleText()
	send(t, zipConn, websocket.TextMessage, big)
	for _, c := range []*websocket.Conn{zipConn, plainConn} {
		if e := expectEvent(t, c, "message"); e.Client != idZip || e.Data != big {
			t.Fatalf("message event from %q with %d bytes of data, want %q with the %d sent", e.Client, len(e.Data), idZip, len(big))
		}
	}
	send(t, zipConn, websocket.TextMessage, `raw:{"to":["`+idZip+`"],"data":"`+big+`"}`)
	send(t, zipConn, websocket.TextMessage, `raw:{"data":"everyone"}`)
	expectText(t, plainConn, "everyone") // and not the big one first
	if kind, got := receive(t, zipConn); kind != websocket.TextMessage || got != big {
		t.Fatalf("got %d bytes (type %d), want the %d bytes sent to this client", len(got), kind, len(big))
	}
	expectText(t, zipConn, "everyone")

	// Each got the message event's megabyte; the compressing client got a
	// second one, and sent two.
	zipGot, zipSent, plainGot := zip.proxy.toClient.Load(), zip.proxy.toServer.Load(), plain.proxy.toClient.Load()
	t.Logf("compressing client: %d bytes from the server, %d to it; plain client: %d bytes from the server",
		zipGot, zipSent, plainGot)
	if plainGot < int64(len(big)) || zipGot*4 > plainGot || zipSent*4 > int64(2*len(big)) {
		t.Errorf("the compressing client's frames were not compressed")
	}
}

// In a room too, --maxframesize bounds a message once inflated: 1 MB
// that python3-websockets deflates to a few KB is over 64 KiB, closes
// 1009, and never reaches the process: cat would have echoed it to the
// other client in the room.
func TestRoomCompressLimitAppliesInflated(t *testing.T) {
	s := startServer(t, "--room", "--compress", "--maxframesize=65536", "cat")
	other := s.dial("/")
	out := runPythonWebsockets(t, `
import asyncio, os, websockets
async def main():
    async with websockets.connect(os.environ["URL"]) as ws:
        print(ws.response_headers.get("Sec-WebSocket-Extensions", ""))
        try:
            await ws.send((os.environ["LINE"] * 30000)[:1000000])
            print("echoed", len(await ws.recv()))
        except websockets.ConnectionClosed as closed:
            print("closed", closed.rcvd.code if closed.rcvd else "without a close frame")
asyncio.run(main())
`, "URL="+s.url("/"), "LINE="+compressibleLine)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "permessage-deflate") || lines[1] != "closed 1009" {
		t.Fatalf("python3-websockets printed %q; want permessage-deflate, then closed 1009\n%s", out, s.out)
	}
	send(t, other, websocket.TextMessage, "after")
	expectBytes(t, other, "after")
}
