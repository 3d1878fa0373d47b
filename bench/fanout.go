//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Fan-out: one room process writes lines as fast as it can to every client
// of its room. The figure is deliveries per second (lines x clients), from
// the moment the first client says "go" until every client has every line.

// fanoutLoad is clients connections to one room, each to get lines lines.
type fanoutLoad struct {
	clients, lines int
}

// run dials the clients round-robin over urls (the nodes of one room),
// and the first one says "go".
func (l fanoutLoad) run(urls ...string) (time.Duration, error) {
	conns, err := dialAcross(urls, l.clients)
	defer closeAll(conns)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := conns[0].WriteMessage(websocket.TextMessage, []byte("go")); err != nil {
		return 0, err
	}
	errs := make(chan error, len(conns))
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { errs <- readSeq(c, l.lines) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// readSeq reads the lines 1 to n, checking each.
func readSeq(c *clientConn, n int) error {
	var want []byte
	var got bytes.Buffer
	for i := 1; i <= n; i++ {
		if i%1024 == 1 {
			c.SetReadDeadline(time.Now().Add(stallTimeout))
		}
		_, r, err := c.NextReader()
		if err != nil {
			return fmt.Errorf("after %d of %d lines: %w", i-1, n, err)
		}
		got.Reset()
		if _, err := got.ReadFrom(r); err != nil {
			return fmt.Errorf("line %d: %w", i, err)
		}
		want = strconv.AppendInt(want[:0], int64(i), 10)
		if !bytes.Equal(got.Bytes(), want) {
			return fmt.Errorf("line %d came as %q", i, got.Bytes())
		}
	}
	return nil
}

func (b *bench) fanoutLoad(clients int) fanoutLoad {
	return fanoutLoad{clients: clients, lines: max(1, b.opts.fanoutDeliveries/clients)}
}

func measureFanout(url string, load fanoutLoad) (measurement, error) {
	elapsed, err := load.run(url)
	return measurement{value: float64(load.lines*load.clients) / elapsed.Seconds()}, err
}

func (b *bench) fanoutOurs(clients int) (measurement, error) {
	load := b.fanoutLoad(clients)
	// The room's process waits for "go", then writes the lines.
	s, err := b.websocketd("--room", "--maxforks=0", "sh", "-c", "read go && exec seq "+strconv.Itoa(load.lines))
	return withServer(s, err, func(s *serverProc) (measurement, error) { return measureFanout(s.url("/room"), load) })
}

// fanoutCeiling runs the fan-out load against a ceiling server's
// /fanout: the batching broadcaster or the naive one.
func (b *bench) fanoutCeiling(clients int, start func() (*serverProc, error)) (measurement, error) {
	load := b.fanoutLoad(clients)
	s, err := start()
	return withServer(s, err, func(s *serverProc) (measurement, error) {
		return measureFanout(s.url(fmt.Sprintf("/fanout?n=%d&c=%d", load.lines, load.clients)), load)
	})
}

// Room idle: the server's memory per connected room client. The clients
// are only connected (a room client is seated before its 101), not
// exercised: in a room, one client's message goes to all.

func (b *bench) roomIdleOurs() (measurement, error) {
	s, err := b.websocketd("--room", "--maxforks=0", "cat")
	return withServer(s, err, b.measureRoomIdle)
}

func (b *bench) roomIdleCeiling() (measurement, error) {
	s, err := b.naiveServer()
	return withServer(s, err, b.measureRoomIdle)
}

func (b *bench) measureRoomIdle(s *serverProc) (measurement, error) {
	warm, err := dial(s.url("/"))
	if err != nil {
		return measurement{}, err
	}
	warm.closeNow()
	if err := waitNoChildren(s.pid, stallTimeout); err != nil {
		return measurement{}, err
	}
	before, err := readRSS(s.pid)
	if err != nil {
		return measurement{}, err
	}
	conns, err := dialAll(s.url("/"), b.opts.idleConns)
	defer closeAll(conns)
	if err != nil {
		return measurement{}, err
	}
	after, err := readRSS(s.pid)
	return measurement{value: float64(after-before) / float64(len(conns)) / 1024}, err
}

// ceilingFanout is the naive fan-out ceiling: the c clients of
// /fanout?n=N&c=C join one room; once one has said anything and all c are
// there, lines 1 to n are framed once each (PreparedMessage) and handed
// to every client's writer goroutine, which writes each on its own.
type ceilingFanout struct {
	mu      sync.Mutex
	writers []chan *websocket.PreparedMessage
	asked   bool // a client said "go"
	started bool
}

func (f *ceilingFanout) serve(upgrader *websocket.Upgrader, w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	c, _ := strconv.Atoi(r.URL.Query().Get("c"))
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	out := make(chan *websocket.PreparedMessage, 256)
	go func() {
		for m := range out {
			if conn.WritePreparedMessage(m) != nil {
				return
			}
		}
	}()
	// A client's 101 goes out before it is registered here: the "go" of
	// another may come first, so the start waits for all c.
	f.update(func() { f.writers = append(f.writers, out) }, c, n)
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
		f.update(func() { f.asked = true }, c, n)
	}
}

// update changes the room's state and starts the broadcast once it can.
func (f *ceilingFanout) update(change func(), clients, lines int) {
	f.mu.Lock()
	change()
	start := f.asked && len(f.writers) == clients && !f.started
	f.started = f.started || start
	writers := f.writers
	f.mu.Unlock()
	if start {
		go broadcastSeq(writers, lines)
	}
}

func broadcastSeq(writers []chan *websocket.PreparedMessage, n int) {
	for i := 1; i <= n; i++ {
		m, err := websocket.NewPreparedMessage(websocket.TextMessage, []byte(strconv.Itoa(i)))
		if err != nil {
			panic(errors.New("preparing a text message cannot fail"))
		}
		for _, w := range writers {
			w <- m
		}
	}
}
