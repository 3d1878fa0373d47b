package libwebsocketd

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/websocketd/websocketd/internal/child"
)

// roomHub is the server's rooms, by key. A room is found or started
// before the upgrade, so that a client refused for --maxforks gets HTTP
// 429 and no process is ever started for an upgrade that fails.
type roomHub struct {
	deps    roomDeps
	cluster *cluster // nil without --cluster
	mu      sync.Mutex
	rooms   map[string]*room
}

// roomDeps is what rooms need of the server that holds them, and all they
// know of it.
type roomDeps struct {
	log      *slog.Logger
	metrics  *Metrics        // nil without --metrics
	forks    *slotLimit      // a room's process takes one slot
	live     *sync.WaitGroup // a shutdown waits for a room's process too
	draining func() bool     // shutting down: an empty room does not linger
	codec    codec           // how the process's bytes become messages and back
	protocol roomProtocol    // plain or json (room_json.go)
	limits   roomLimits
}

// roomLimits are the room flags.
type roomLimits struct {
	linger      time.Duration // --roomlinger
	queue       int           // --roomqueue
	slow        time.Duration // --roomslowms
	compress    bool          // --compress: a queued message may hold a compressed frame too
	maxLine     int           // --maxlinesize, for stderr lines (the codec bounds stdout's)
	replay      int           // --roomreplay: messages kept for a client that joins
	replayBytes int           // --roomreplaybytes: their bound in bytes
}

func newRoomHub(deps roomDeps) *roomHub {
	return &roomHub{deps: deps, rooms: map[string]*room{}}
}

var errTooManyForks = errors.New("too many processes (--maxforks)")

// errBadRoomPath is a path that cannot name a room: its key goes into the
// process's environment (WEBSOCKETD_ROOM), the logs and JSON events as it
// is, so one that safeValue would change is refused (400), not altered
// into the name of another room.
var errBadRoomPath = errors.New("the room's path holds a control character")

// startRoomProcess starts the process of a new room; key names the room.
type startRoomProcess func(key string) (*child.Process, error)

// enter returns the room of key, started with start if need be, with a
// place reserved for the client (release gives it back).
func (hub *roomHub) enter(key string, start startRoomProcess) (*room, error) {
	if safeValue(key) != key {
		return nil, errBadRoomPath
	}
	if hub.cluster != nil {
		return hub.enterCluster(key, start)
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if rm := hub.rooms[key]; rm != nil && rm.reserve() {
		return rm, nil
	}
	if !hub.deps.forks.acquire() {
		return nil, errTooManyForks
	}
	proc, err := start(key)
	if err != nil {
		hub.deps.forks.release()
		return nil, err
	}
	rm := hub.open(key, proc)
	hub.rooms[key] = rm
	rm.reserve()
	return rm, nil
}

// open makes the room of a process just started. Its first client's seat
// starts its goroutines (room.seat).
func (hub *roomHub) open(key string, proc *child.Process) *room {
	rm := &room{key: key, hub: hub, proc: processBackend{proc}, limits: hub.deps.limits,
		in: make(chan clientMessage), done: make(chan struct{}), seats: map[string]*seat{},
		replay: hub.newReplay(),
		log: hub.deps.log.With("category", "room", "room", key, "pid", proc.Pid(),
			"command", strings.Join(proc.Args(), " "))}
	hub.deps.live.Add(1)
	hub.deps.metrics.roomOpened()
	rm.log.Info("room process started")
	return rm
}

func (hub *roomHub) newReplay() *replayRing[messageInBatch] {
	return newReplayRing[messageInBatch](hub.deps.limits.replay, hub.deps.limits.replayBytes)
}

// reserve takes a place in the room, unless it is closed. The hub's lock
// is held.
func (rm *room) reserve() bool {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.closed {
		return false
	}
	rm.members++
	if rm.linger != nil {
		rm.linger.Stop()
		rm.linger = nil
	}
	return true
}

// release gives a place back. The last one out stops the process, at once
// or after --roomlinger; a server shutting down does not linger.
func (hub *roomHub) release(rm *room) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.members--
	if rm.members > 0 || rm.closed {
		return
	}
	if rm.link != nil {
		hub.lastLeftLocked(rm) // its process may serve other nodes
		return
	}
	if linger := hub.deps.limits.linger; linger > 0 && !hub.deps.draining() {
		rm.linger = time.AfterFunc(linger, func() { hub.lingerOver(rm) })
		return
	}
	hub.closeLocked(rm)
}

func (hub *roomHub) lingerOver(rm *room) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.members == 0 && !rm.closed {
		hub.closeLocked(rm)
	}
}

// closeLocked stops an empty room's process; the next client starts a new
// one. Both locks are held.
func (hub *roomHub) closeLocked(rm *room) {
	rm.closed = true
	if hub.rooms[rm.key] == rm {
		delete(hub.rooms, rm.key)
	}
	if rm.link != nil {
		go rm.link.close()
		return
	}
	go rm.proc.stop()
}

// forget closes a room whose output ended to new clients, and drops it
// from the hub.
func (hub *roomHub) forget(rm *room) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	rm.mu.Lock()
	rm.closed = true
	rm.mu.Unlock()
	if hub.rooms[rm.key] == rm {
		delete(hub.rooms, rm.key)
	}
}

// ended follows a room's process's end and reaping.
func (hub *roomHub) ended(status exitStatus) {
	hub.deps.metrics.roomClosed(status.state)
	hub.deps.forks.release()
	hub.deps.live.Done()
}

// closeIdle stops the rooms nobody is in (lingering), for a shutdown.
func (hub *roomHub) closeIdle() {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	for _, rm := range hub.rooms {
		rm.mu.Lock()
		switch {
		case rm.link != nil && rm.members == 0:
			go rm.link.drain()
		case rm.members == 0 && !rm.closed:
			hub.closeLocked(rm)
		}
		rm.mu.Unlock()
	}
}

// killAll ends every room's process group at once, for a server whose
// shutdown grace is over.
func (hub *roomHub) killAll() {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	for _, rm := range hub.rooms {
		if rm.link != nil {
			rm.link.kill()
			continue
		}
		rm.proc.kill()
	}
}
