package libwebsocketd

import (
	"net"
	"sync"
)

// acceptingListener tells when Serve first asks it for a connection: from
// then on, a client that connects is served, which is what readiness
// (the "serving" log line, READY=1) must mean.
type acceptingListener struct {
	net.Listener
	once      sync.Once
	accepting chan struct{}
}

func newAcceptingListener(l net.Listener) *acceptingListener {
	return &acceptingListener{Listener: l, accepting: make(chan struct{})}
}

func (l *acceptingListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.accepting) })
	return l.Listener.Accept()
}
