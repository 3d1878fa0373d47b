package libwebsocketd

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// keepAlive pings the client every interval and fails the connection when
// nothing (no pong, no message) has come back for two intervals: a read
// deadline that each sign of life pushes further. It uses a timer, not a
// goroutine, so an idle connection costs no stack for it.
type keepAlive struct {
	conn     *websocket.Conn
	interval time.Duration

	mu      sync.Mutex
	timer   *time.Timer
	due     time.Time // the read deadline: the client's last sign of life plus two intervals
	stopped bool
}

func startKeepAlive(conn *websocket.Conn, interval time.Duration) *keepAlive {
	k := &keepAlive{conn: conn, interval: interval}
	k.alive()
	conn.SetPongHandler(func(string) error { k.alive(); return nil })
	k.mu.Lock()
	k.timer = time.AfterFunc(interval, k.ping)
	k.mu.Unlock()
	return k
}

// alive records a sign of life from the client.
func (k *keepAlive) alive() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.stopped {
		k.due = time.Now().Add(2 * k.interval)
		k.conn.SetReadDeadline(k.due)
	}
}

// deadline is when a client that stays silent fails the connection.
func (k *keepAlive) deadline() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.due
}

func (k *keepAlive) ping() {
	k.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(k.interval))
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.stopped {
		k.timer.Reset(k.interval)
	}
}

// stop ends the pings; the read deadline is then no longer pushed back.
func (k *keepAlive) stop() {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stopped = true
	k.timer.Stop()
}
