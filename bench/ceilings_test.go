//go:build !windows

package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The batching ceilings must be right before their figures mean anything:
// the loads check content, order and count, so each ceiling is run
// through them here, in process, at small sizes.

func batchingURL(t *testing.T, path string) string {
	srv := httptest.NewServer(batchingMux())
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + path
}

func TestBatchingEchoKeepsEveryMessage(t *testing.T) {
	url := batchingURL(t, "/")
	if _, err := (echoLoad{conns: 3, depth: 16, size: 64, perConn: 2000}).run(url); err != nil {
		t.Fatalf("echo: %v", err)
	}
	if _, err := (echoLoad{conns: 1, depth: 5000, size: 64, perConn: 5000}).run(url); err != nil {
		t.Fatalf("pipelining: %v", err)
	}
	// 64 KiB messages come in 4 KiB fragments from gorilla's client.
	if _, _, err := (binaryLoad{conns: 2, depth: 3, perConn: 20}).run(url); err != nil {
		t.Fatalf("binary: %v", err)
	}
}

func TestBatchingSeqSendsEveryLine(t *testing.T) {
	for _, n := range []int{0, 1, 20000} {
		if _, err := readLines(batchingURL(t, fmt.Sprintf("/seq?n=%d", n)), n); err != nil {
			t.Errorf("/seq?n=%d: %v", n, err)
		}
	}
}

func TestBatchingFanoutDeliversEveryLine(t *testing.T) {
	for _, load := range []fanoutLoad{
		{clients: 1, lines: 1},
		{clients: 7, lines: 3000},
		// More than a client's queue holds (1 MiB): the broadcaster
		// waits for the writers.
		{clients: 2, lines: 150000},
	} {
		url := batchingURL(t, fmt.Sprintf("/fanout?n=%d&c=%d", load.lines, load.clients))
		if _, err := load.run(url); err != nil {
			t.Errorf("%d lines to %d clients: %v", load.lines, load.clients, err)
		}
	}
}

func TestBatchingRefusesBadQueries(t *testing.T) {
	for _, path := range []string{"/seq?n=-1", "/seq?n=x", "/seq", "/fanout?n=5&c=0", "/fanout?n=5",
		"/fanout?n=99999999999999999999&c=1"} {
		if c, err := dial(batchingURL(t, path)); err == nil {
			c.Close()
			t.Errorf("%s: the handshake succeeded", path)
		}
	}
}

// burstConn is a connection whose peer has sent in one go and then hung
// up; it records each write.
type burstConn struct {
	net.Conn // not used: nil
	in       io.Reader
	mu       sync.Mutex
	writes   [][]byte
}

func (c *burstConn) Read(p []byte) (int, error) { return c.in.Read(p) }
func (c *burstConn) Close() error               { return nil }

func (c *burstConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func (c *burstConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Join(c.writes, nil)
}

// clientFrame is a frame as a client sends it, masked with a key that is
// not zero.
func clientFrame(first byte, payload []byte) []byte {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	frame := appendFrameHeader(nil, first, len(payload))
	frame[1] |= maskBit
	frame = append(frame, key[:]...)
	for i, b := range payload {
		frame = append(frame, b^key[i%4])
	}
	return frame
}

func closePayload(code int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(code)) }

func TestBatchingEchoAnswersABurstInOneWrite(t *testing.T) {
	long := bytes.Repeat([]byte("0123456789"), 7000) // a 64-bit length
	burst := joined(
		clientFrame(finBit|opPing, []byte("hi")),
		clientFrame(opText, []byte("abc")),
		clientFrame(finBit|opPong, nil),
		clientFrame(finBit|opContinuation, []byte("def")),
		clientFrame(finBit|opBinary, long),
		clientFrame(finBit|opClose, closePayload(1001)),
		clientFrame(finBit|opText, []byte("after the close")),
	)
	want := joined(
		appendFrame(nil, finBit|opPong, []byte("hi")),
		appendFrame(nil, opText, []byte("abc")),
		appendFrame(nil, finBit|opContinuation, []byte("def")),
		appendFrame(nil, finBit|opBinary, long),
		appendFrame(nil, finBit|opClose, closePayload(1001)),
	)
	conn := &burstConn{in: bytes.NewReader(burst)}
	batchingEcho(conn)
	if got := conn.written(); !bytes.Equal(got, want) {
		t.Fatalf("wrote %s\nwant  %s", short(got), short(want))
	}
	small := &burstConn{in: bytes.NewReader(joined(clientFrame(finBit|opText, []byte("a")),
		clientFrame(finBit|opText, []byte("b")), clientFrame(finBit|opText, []byte("c"))))}
	batchingEcho(small)
	if len(small.writes) != 1 {
		t.Errorf("three messages read together went out in %d writes, want 1", len(small.writes))
	}
}

// short shows the start and the end of b.
func short(b []byte) string {
	if len(b) <= 200 {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q ... %q (%d bytes)", b[:100], b[len(b)-100:], len(b))
}

func joined(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func bufioReader(data []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(data)) }

func TestBatchingEchoRefusesBadFrames(t *testing.T) {
	unmasked := appendFrame(nil, finBit|opText, []byte("x"))
	huge := binary.BigEndian.AppendUint64([]byte{finBit | opBinary, maskBit | 127}, 1<<40)
	for _, c := range []struct {
		name  string
		frame []byte
		code  int
	}{
		{"unmasked", unmasked, closeProtocolError},
		{"reserved bit", clientFrame(finBit|0x40|opText, []byte("x")), closeProtocolError},
		{"unknown opcode", clientFrame(finBit|0x3, nil), closeProtocolError},
		{"fragmented ping", clientFrame(opPing, nil), closeProtocolError},
		{"long ping", clientFrame(finBit|opPing, make([]byte, 126)), closeProtocolError},
		{"1-byte close", clientFrame(finBit|opClose, []byte{3}), closeProtocolError},
		{"a terabyte", huge, closeTooBig},
	} {
		conn := &burstConn{in: bytes.NewReader(joined(clientFrame(finBit|opText, []byte("ok")), c.frame))}
		batchingEcho(conn)
		got := conn.written()
		echo := appendFrame(nil, finBit|opText, []byte("ok"))
		if !bytes.HasPrefix(got, echo) {
			t.Errorf("%s: the message before it was not echoed: %q", c.name, got)
			continue
		}
		rest := got[len(echo):]
		if len(rest) < 4 || rest[0] != finBit|opClose || int(binary.BigEndian.Uint16(rest[2:])) != c.code {
			t.Errorf("%s: answered %q, want a close frame with %d", c.name, rest, c.code)
		}
	}
}

func TestBatchingEchoStopsAtACutFrame(t *testing.T) {
	whole := clientFrame(finBit|opText, []byte("hello"))
	for cut := 1; cut < len(whole); cut++ {
		conn := &burstConn{in: bytes.NewReader(whole[:cut])}
		batchingEcho(conn)
		if got := conn.written(); len(got) != 0 {
			t.Errorf("cut at %d: wrote %q", cut, got)
		}
	}
}

func TestBatchMemberAnswersThroughItsWriter(t *testing.T) {
	conn := &burstConn{in: bytes.NewReader(joined(
		clientFrame(finBit|opPing, []byte("p")),
		clientFrame(opText, []byte("g")),
		clientFrame(finBit|opContinuation, []byte("o")),
		clientFrame(finBit|opText, []byte("again")),
		clientFrame(finBit|opClose, closePayload(1000)),
	))}
	m := newBatchMember(conn)
	wrote := make(chan struct{})
	go func() { m.writeLoop(); close(wrote) }()
	said := 0
	m.readLoop(func() { said++ })
	<-wrote
	if said != 2 {
		t.Errorf("said %d times, want 2 (one per message)", said)
	}
	want := joined(appendFrame(nil, finBit|opPong, []byte("p")), appendFrame(nil, finBit|opClose, closePayload(1000)))
	if got := conn.written(); !bytes.Equal(got, want) {
		t.Errorf("wrote %q, want %q", got, want)
	}
	m.enqueue([]byte("too late")) // must neither block nor be written
	if got := conn.written(); !bytes.Equal(got, want) {
		t.Errorf("after the close: wrote %q, want %q", got, want)
	}
}

func TestBroadcastLinesFramesEachLineOnce(t *testing.T) {
	members := []*batchMember{newBatchMember(nil), newBatchMember(nil)}
	const n = 2000
	broadcastLines(members, n)
	first, second := members[0].pending, members[1].pending
	if len(first) != len(second) {
		t.Fatalf("the members got %d and %d chunks", len(first), len(second))
	}
	var all []byte
	for i := range first {
		if &first[i][0] != &second[i][0] {
			t.Fatalf("chunk %d was built for each member, not shared", i)
		}
		if len(first[i]) > fanoutChunkSize {
			t.Errorf("chunk %d holds %d bytes, more than %d", i, len(first[i]), fanoutChunkSize)
		}
		all = append(all, first[i]...)
	}
	var want []byte
	for i := 1; i <= n; i++ {
		want = appendFrame(want, finBit|opText, fmt.Appendf(nil, "%d", i))
	}
	if !bytes.Equal(all, want) {
		t.Error("the chunks do not hold the lines 1 to n, one frame each")
	}
}

// FuzzFrameReader feeds the frame reader any bytes: it must never panic,
// never hand out more than it allows, and read back any frame it accepted
// once it is masked again.
func FuzzFrameReader(f *testing.F) {
	f.Add(clientFrame(finBit|opText, []byte("hello")))
	f.Add(clientFrame(finBit|opBinary, make([]byte, 300)))
	f.Add(joined(clientFrame(opText, []byte("ab")), clientFrame(finBit|opContinuation, []byte("cd"))))
	f.Add(clientFrame(finBit|opClose, closePayload(1000)))
	f.Add(binary.BigEndian.AppendUint64([]byte{finBit | opBinary, maskBit | 127}, 1<<63))
	f.Add([]byte{finBit | opText, maskBit | 126, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := frameReader{in: bufioReader(data)}
		for {
			first, payload, err := frames.next()
			if err != nil {
				var refused *frameError
				if !errors.As(err, &refused) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if len(payload) > maxFramePayload || first&opcodeBits >= opClose && len(payload) > maxControlPayload {
				t.Fatalf("a frame of %d bytes (opcode %d) was accepted", len(payload), first&opcodeBits)
			}
			again := frameReader{in: bufioReader(clientFrame(first, payload))}
			first2, payload2, err := again.next()
			if err != nil || first2 != first || !bytes.Equal(payload2, payload) {
				t.Fatalf("frame %#x %q read back as %#x %q (%v)", first, payload, first2, payload2, err)
			}
		}
	})
}
