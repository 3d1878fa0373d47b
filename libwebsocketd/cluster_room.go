package libwebsocketd

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
)

// clusterRoom links a room's clients on this node (the seats of rm) to
// the room's one process, which runs on the node that holds the room's
// lease: perhaps this one (owner, cluster_owner.go). The clients'
// messages go to the owner on the room's .in subject; the process's
// output comes back on .out, to every node with clients of the room, and
// each hands it to its own seats as a room does (queues, backpressure,
// 1008). Each heartbeat the node tells the owner it still has clients
// (.here), renews the lease if it holds it, and takes it if it is free:
// the owner died, and a new process serves the clients still here.
type clusterRoom struct {
	c     *cluster
	store leaseStore
	rm    *room
	subj  roomSubjects
	start startRoomProcess // the room's process, as the first client here would start it

	opened  chan struct{} // closed once open has run; openErr is then set
	openErr error

	leaseMu sync.Mutex // one lease operation at a time: a take, a renewal, a release
	lease   lease

	// With --roomreplay, outMu takes the output's messages one at a time
	// against the start of the replay (fetchReplay), and floor is the
	// number of the last message of the owner's replay that it started
	// with (cluster_replay.go).
	outMu sync.Mutex
	floor uint64

	mu     sync.Mutex
	out    *nats.Subscription
	owner  *ownedRoom
	joins  map[string][]byte // the join event of each seat, for a new process
	closed bool
	done   chan struct{} // closed by close: the heartbeat ends
}

// enterCluster is enter for a cluster room: the room here links to the
// room's process wherever it runs, and starts it if nobody runs it.
func (hub *roomHub) enterCluster(key string, start startRoomProcess) (*room, error) {
	store := hub.cluster.store()
	if store == nil {
		hub.deps.metrics.clusterRefused()
		return nil, errClusterDown
	}
	hub.mu.Lock()
	rm, opener := hub.rooms[key], false
	if rm == nil || !rm.reserve() {
		rm, opener = hub.openLinked(key, start, store), true
		hub.rooms[key] = rm
		rm.reserve()
	}
	hub.mu.Unlock()
	if opener {
		rm.link.open() // round trips to NATS: not under the hub's lock
	}
	<-rm.link.opened
	if err := rm.link.openErr; err != nil {
		hub.release(rm)
		if errors.Is(err, errClusterDown) {
			hub.deps.metrics.clusterRefused()
		}
		return nil, err
	}
	return rm, nil
}

func (hub *roomHub) openLinked(key string, start startRoomProcess, store leaseStore) *room {
	c := hub.cluster
	rm := &room{key: key, hub: hub, limits: hub.deps.limits, done: make(chan struct{}),
		seats: map[string]*seat{}, replay: hub.newReplay(),
		log: hub.deps.log.With("category", "room", "room", key)}
	subj := c.subjects(key)
	rm.link = &clusterRoom{c: c, store: store, rm: rm, subj: subj, start: start,
		opened: make(chan struct{}), joins: map[string][]byte{}, done: make(chan struct{}),
		lease: lease{store: store, key: subj.id, holder: []byte(c.node)}}
	return rm
}

// open subscribes to the room's output, tells the owner this node has
// clients, and starts the process if nobody runs it.
func (l *clusterRoom) open() {
	defer close(l.opened)
	out, err := l.c.nc.Subscribe(l.subj.out, l.fromOwner)
	if err != nil {
		l.rm.log.Error("cannot subscribe to the room's output", "category", "cluster", "error", err)
		l.openErr = errClusterDown
		return
	}
	// A queue as deep as the room's would be: a slow node is told by the
	// client library (slow consumer) rather than growing without bound.
	out.SetPendingLimits(-1, 64*l.rm.limits.queue)
	l.mu.Lock()
	l.out = out
	l.mu.Unlock()
	l.publish(l.subj.here, wirePresence(l.c.node, true))
	if l.leaseFree() {
		// The first client of a room nobody runs is refused as it would
		// be without --cluster (429, 500) if its process cannot start.
		if l.openErr = l.tryOwn(false); l.openErr != nil {
			return
		}
	} else if l.rm.replay != nil {
		l.fetchReplay()
	}
	go l.beat()
}

// beat runs the heartbeat until the link closes.
func (l *clusterRoom) beat() {
	ticker := time.NewTicker(heartbeat)
	defer ticker.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-ticker.C:
			l.tick()
		}
	}
}

func (l *clusterRoom) tick() {
	members := l.rm.memberCount()
	if members > 0 {
		l.publish(l.subj.here, wirePresence(l.c.node, true))
	}
	if o := l.currentOwner(); o != nil {
		o.heartbeat()
		return
	}
	if members > 0 && l.leaseFree() && !l.outputBehind() {
		l.tryOwn(true) // it logs why it failed; the next heartbeat tries again
	}
}

// outputBehind reports whether the owner's messages wait here unread. An
// owner whose process ended publishes the end before it lets the lease
// go, so a node that sees the lease free but has output still to read
// may have the end among it: it reads on, rather than start a process
// for clients about to be closed (a process nobody would stop).
func (l *clusterRoom) outputBehind() bool {
	l.mu.Lock()
	out := l.out
	l.mu.Unlock()
	if out == nil {
		return false
	}
	pending, _, err := out.Pending()
	return err == nil && pending > 0
}

func (l *clusterRoom) leaseFree() bool {
	ctx, cancel := context.WithTimeout(context.Background(), leaseOpTimeout)
	defer cancel()
	l.leaseMu.Lock()
	defer l.leaseMu.Unlock()
	return l.lease.free(ctx)
}

// tryOwn takes the lease and starts the room's process here, unless
// another node was quicker. It listens to the clients before it takes the
// lease: from then on other nodes send to it. The error is why a process
// that this node was to run could not start.
func (l *clusterRoom) tryOwn(restart bool) error {
	l.leaseMu.Lock()
	defer l.leaseMu.Unlock()
	if l.isClosed() || l.currentOwner() != nil || l.lease.held() {
		return nil
	}
	hub := l.rm.hub
	if !hub.deps.forks.acquire() {
		l.rm.log.Error("cannot run the room's process here: "+errTooManyForks.Error(), "category", "cluster")
		return errTooManyForks
	}
	o := newOwnedRoom(l)
	ctx, cancel := context.WithTimeout(context.Background(), leaseOpTimeout)
	defer cancel()
	if err := o.listen(); err != nil || !l.lease.take(ctx, time.Now()) {
		o.unlisten()
		hub.deps.forks.release()
		return nil
	}
	proc, err := l.start(l.rm.key)
	if err != nil {
		l.rm.log.Error("cannot start the room's process", "error", err)
		l.lease.release(ctx)
		o.unlisten()
		hub.deps.forks.release()
		return err
	}
	l.mu.Lock()
	l.owner = o
	l.mu.Unlock()
	o.run(processBackend{proc}, restart)
	return nil
}

// fromOwner takes a message of the room's owner: output for the seats
// here, or news of its process.
func (l *clusterRoom) fromOwner(m *nats.Msg) {
	if len(m.Data) == 0 {
		return
	}
	switch m.Data[0] {
	case wireStarted:
		l.ownerStarted(string(m.Data[1:]) == "1")
	case wireEnded:
		if end, err := parseWireEnd(m.Data[1:]); err == nil {
			l.ownerEnded(end)
		}
	default:
		kind, seq, data, err := parseWireOutput(m.Data)
		if err != nil {
			l.rm.log.Debug("unknown message from the room's owner, dropped", "category", "cluster")
			return
		}
		l.output(kind, seq, data)
	}
}

// output hands a message of the process's output, numbered seq by the
// owner, to the seats here; with --roomreplay, one that the replay this
// node started with holds already is dropped.
func (l *clusterRoom) output(kind int, seq uint64, data []byte) {
	if l.rm.replay != nil {
		l.outMu.Lock()
		defer l.outMu.Unlock()
		if l.stale(seq) {
			return
		}
	}
	l.rm.outSeq = seq // only this goroutine hands out output
	// Not batched (more is false): a batch numbered seq is this message
	// alone (keepLocked).
	l.rm.hub.deps.protocol.output(l.rm, kind, data, false)
}

// ownerStarted follows a new process: after a restart it is told who is
// here, as if each client had just joined.
func (l *clusterRoom) ownerStarted(restart bool) {
	l.outMu.Lock()
	l.floor = 0 // a new process numbers its messages from 1
	l.outMu.Unlock()
	if l.rm.memberCount() > 0 {
		l.publish(l.subj.here, wirePresence(l.c.node, true))
	}
	if !restart {
		return
	}
	l.mu.Lock()
	joins := slices.Collect(maps.Values(l.joins))
	l.mu.Unlock()
	for _, event := range joins {
		l.publishInput(event, websocket.TextMessage)
	}
}

// ownerEnded follows the end of the room's process. One that its owner
// stopped while clients were still here is started again here if the
// lease is free; one that ended by itself closes the clients with its
// status, as a room does, and the next client starts a new one.
func (l *clusterRoom) ownerEnded(end roomEnd) {
	if end.Handover {
		if l.rm.memberCount() > 0 {
			go l.tryOwn(true)
		}
		return
	}
	if l.isClosed() {
		return // an end already followed, or nobody is here
	}
	l.close() // first: a second end message must not close the seats again
	l.rm.hub.forget(l.rm)
	clients := l.rm.closeSeats(exitStatus{code: end.Code, reason: end.Reason})
	l.rm.log.Info("room process ended", "category", "cluster", "clients", len(clients),
		"code", end.Code)
}

// ownerGone follows the end of the process this node ran: a room with no
// client left here has nothing more to do here.
func (l *clusterRoom) ownerGone() {
	l.mu.Lock()
	l.owner = nil
	l.mu.Unlock()
	hub := l.rm.hub
	hub.mu.Lock()
	defer hub.mu.Unlock()
	rm := l.rm
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.members == 0 && !rm.closed {
		hub.closeLocked(rm)
	}
}

// lastLeftLocked follows the last client here leaving (both locks held):
// the owner keeps the process for the other nodes' clients (it stops it
// --roomlinger after the last one anywhere); any other node lets go.
func (hub *roomHub) lastLeftLocked(rm *room) {
	if o := rm.link.currentOwner(); o != nil {
		go o.checkEmpty()
		return
	}
	hub.closeLocked(rm)
}

// publishInput sends a client's message to the room's owner.
func (l *clusterRoom) publishInput(data []byte, kind int) bool {
	if l.isClosed() {
		return false
	}
	return l.publish(l.subj.in, wireMessage(kind, data))
}

func (l *clusterRoom) publish(subject string, data []byte) bool {
	if err := l.c.nc.Publish(subject, data); err != nil {
		l.rm.log.Error("cannot send to the cluster, message dropped", "category", "cluster",
			"subject", subject, "bytes", len(data), "error", err)
		return false
	}
	return true
}

// close ends the link: no more output, presence or lease attempts.
func (l *clusterRoom) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	out := l.out
	l.mu.Unlock()
	close(l.done)
	if out != nil {
		out.Unsubscribe()
	}
	l.publish(l.subj.here, wirePresence(l.c.node, false))
}

// drain hands the room's process over to another node, for a shutdown.
func (l *clusterRoom) drain() {
	if o := l.currentOwner(); o != nil {
		o.stop()
	}
}

func (l *clusterRoom) kill() {
	if o := l.currentOwner(); o != nil {
		o.proc.kill()
	}
}

func (l *clusterRoom) pid() int {
	if o := l.currentOwner(); o != nil {
		return o.proc.pid()
	}
	return 0
}

// remember and forget keep the join events of the seats here; both do
// nothing for a room that is not a cluster room.
func (l *clusterRoom) remember(id string, event []byte) {
	if l != nil {
		l.mu.Lock()
		l.joins[id] = event
		l.mu.Unlock()
	}
}

func (l *clusterRoom) forget(id string) {
	if l != nil {
		l.mu.Lock()
		delete(l.joins, id)
		l.mu.Unlock()
	}
}

func (l *clusterRoom) currentOwner() *ownedRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.owner
}

func (l *clusterRoom) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// memberCount is the number of clients seated here, or about to be.
func (rm *room) memberCount() int {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	return rm.members
}
