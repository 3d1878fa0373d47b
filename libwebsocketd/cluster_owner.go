package libwebsocketd

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
	"github.com/websocketd/websocketd/internal/pipes"
)

// ownedRoom is a cluster room's process on the node that holds its lease:
// the clients' messages of every node (.in) go to its stdin, whole and in
// the order each node sent them; each message of its output is published
// once (.out). It stops --roomlinger after the last client anywhere left,
// as the nodes' presence messages (.here) tell.
type ownedRoom struct {
	link *clusterRoom
	proc processBackend
	in   chan clientMessage
	gone chan struct{} // closed once the output ended, or owning failed

	replay *ownerReplay // what it published, for a node's replay; nil without --roomreplay

	subIn, subHere, subReplay *nats.Subscription

	mu       sync.Mutex
	remote   map[string]time.Time // other nodes with clients, when they last said so
	linger   *time.Timer
	handover bool // stopped on purpose: a node with clients takes over
}

// restartEvent is the first line of a JSON room's process that took over
// from one that died or was stopped with clients left.
var restartEvent = []byte(`{"event":"restart"}`)

func newOwnedRoom(l *clusterRoom) *ownedRoom {
	return &ownedRoom{link: l, in: make(chan clientMessage), gone: make(chan struct{}),
		remote: map[string]time.Time{}, replay: newOwnerReplay(l.rm.limits)}
}

// listen subscribes to the clients' messages and the nodes' presence,
// and makes sure NATS has the subscriptions before the lease is taken.
func (o *ownedRoom) listen() error {
	nc, subj := o.link.c.nc, o.link.subj
	var err error
	if o.subIn, err = nc.Subscribe(subj.in, o.fromNode); err != nil {
		return err
	}
	o.subIn.SetPendingLimits(-1, 64*o.link.rm.limits.queue)
	if o.subHere, err = nc.Subscribe(subj.here, o.presence); err != nil {
		return err
	}
	if o.replay != nil {
		answer := func(m *nats.Msg) { o.replay.answer(m, int(nc.MaxPayload())) }
		if o.subReplay, err = nc.Subscribe(subj.replay, answer); err != nil {
			return err
		}
	}
	return nc.FlushTimeout(leaseOpTimeout)
}

func (o *ownedRoom) unlisten() {
	select {
	case <-o.gone:
	default:
		close(o.gone)
	}
	for _, sub := range []*nats.Subscription{o.subIn, o.subHere, o.subReplay} {
		if sub != nil {
			sub.Unsubscribe()
		}
	}
}

// fromNode hands a client's message to the process's stdin; while stdin
// is full it waits, and NATS holds the messages that follow.
func (o *ownedRoom) fromNode(m *nats.Msg) {
	kind, data, err := parseWireMessage(m.Data)
	if err != nil {
		return
	}
	select {
	case o.in <- clientMessage{data: data, kind: kind}:
	case <-o.gone:
	}
}

// presence notes whether a node has clients; this node's own are counted
// from its seats.
func (o *ownedRoom) presence(m *nats.Msg) {
	node, has, err := parsePresence(m.Data)
	if err != nil || node == o.link.c.node {
		return
	}
	o.mu.Lock()
	if has {
		o.remote[node] = time.Now()
	} else {
		delete(o.remote, node)
	}
	o.mu.Unlock()
	o.checkEmpty()
}

// run starts the process's pumps, and tells the nodes it runs.
func (o *ownedRoom) run(proc processBackend, restart bool) {
	o.proc = proc
	rm := o.link.rm
	hub := rm.hub
	log := rm.log.With("pid", proc.pid(), "command", strings.Join(proc.Args(), " "))
	hub.deps.live.Add(1)
	hub.deps.metrics.roomOpened()
	log.Info("room process started", "category", "cluster", "restart", restart)
	started := []byte{wireStarted, '0'}
	if restart {
		started[1] = '1'
	}
	o.link.publish(o.link.subj.out, started)
	go o.writeInput(restart)
	go o.readOutput()
	pipes.ReadLines(proc.errorOutput(), rm.limits.maxLine, func(line []byte) {
		log.Error(string(line), "category", "stderr")
	}, false, make(chan struct{}), log)
}

func (o *ownedRoom) writeInput(restart bool) {
	hub := o.link.rm.hub
	stdin := hub.deps.codec.input(o.proc.Stdin())
	if _, json := hub.deps.protocol.(jsonRoom); restart && json {
		stdin.write(restartEvent, websocket.TextMessage)
	}
	feedStdin(stdin, o.in, o.gone)
}

// readOutput publishes each message of the output; at its end it tells
// the nodes how the process ended, and lets the lease go.
func (o *ownedRoom) readOutput() {
	rm := o.link.rm
	messages := rm.hub.deps.codec.output(pipes.NewLazyInput(o.proc.Stdout()))
	var err error
	for {
		var kind int
		var message []byte
		if kind, message, err = messages.next(); err != nil {
			break
		}
		seq := o.replay.number(kind, message)
		o.link.publish(o.link.subj.out, wireOutput(seq, kind, message))
	}
	status := endOfOutput(o.proc, err, rm.log)
	o.ended(status)
}

func (o *ownedRoom) ended(status exitStatus) {
	o.mu.Lock()
	handover := o.handover
	if o.linger != nil {
		o.linger.Stop()
	}
	o.mu.Unlock()
	o.unlisten()
	l := o.link
	end := wireEnd(roomEnd{Code: status.code, Reason: status.reason, Handover: handover})
	if !handover {
		// The end first: a node that then finds the lease free has the end
		// among what it has to read (outputBehind), and takes no lease.
		l.publish(l.subj.out, end)
	}
	ctx, cancel := context.WithTimeout(context.Background(), leaseOpTimeout)
	l.leaseMu.Lock()
	l.lease.release(ctx)
	l.leaseMu.Unlock()
	cancel()
	if handover {
		l.publish(l.subj.out, end) // after: the nodes are to take the lease at once
	}
	l.rm.log.Info("room process ended", "category", "cluster", "status", status.detail, "handover", handover)
	l.rm.hub.ended(status)
	l.ownerGone()
}

// heartbeat renews the lease; a lease lost stops the process, as another
// node may start one now.
func (o *ownedRoom) heartbeat() {
	l := o.link
	ctx, cancel := context.WithTimeout(context.Background(), leaseOpTimeout)
	defer cancel()
	l.leaseMu.Lock()
	held := l.lease.renew(ctx, time.Now())
	l.leaseMu.Unlock()
	if !held {
		l.rm.log.Error("lost the room's lease: stopping its process here", "category", "cluster")
		o.stop()
		return
	}
	o.checkEmpty()
}

// checkEmpty starts --roomlinger once no node has clients of the room,
// and cancels it when one has again. A server shutting down hands the
// process over at once.
func (o *ownedRoom) checkEmpty() {
	hub := o.link.rm.hub
	if hub.deps.draining() {
		o.stop()
		return
	}
	empty := o.empty()
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case !empty && o.linger != nil:
		o.linger.Stop()
		o.linger = nil
	case empty && o.linger == nil && !o.handover:
		o.linger = time.AfterFunc(max(hub.deps.limits.linger, clusterMinLinger), o.lingerOver)
	}
}

// clusterMinLinger is the least a cluster room lingers: every node with
// clients says so each heartbeat, so after two of them a node whose
// presence was still on its way (it joined just as the owner's last
// client left) has been heard, and the process is not stopped under it.
const clusterMinLinger = 2 * heartbeat

func (o *ownedRoom) lingerOver() {
	o.mu.Lock()
	o.linger = nil
	o.mu.Unlock()
	if o.empty() {
		o.stop()
	}
}

// empty reports whether no node has clients of the room; a node not
// heard of for a lease's time has none (it died, or lost NATS).
func (o *ownedRoom) empty() bool {
	if o.link.rm.memberCount() > 0 {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	for node, seen := range o.remote {
		if now.Sub(seen) >= leaseTTL {
			delete(o.remote, node)
		}
	}
	return len(o.remote) == 0
}

// stop ends the process on purpose: its end hands the room over.
func (o *ownedRoom) stop() {
	o.mu.Lock()
	already := o.handover
	o.handover = true
	o.mu.Unlock()
	if !already {
		go o.proc.stop()
	}
}
