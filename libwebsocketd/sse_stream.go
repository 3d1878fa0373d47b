package libwebsocketd

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// sseKeepAlive is how long an event stream may stay silent before it
// gets a keep-alive comment: well under the minute after which proxies
// commonly drop a quiet connection (nginx's proxy_read_timeout). A var,
// so that tests need not wait for it.
var sseKeepAlive = 15 * time.Second

// maxKeptEvent is the largest formatting buffer a stream keeps between
// events.
const maxKeptEvent = 4 << 10

// sseStream writes a Server-Sent Events response: each message an event
// (sse_event.go), a burst of them flushed at once. Every write has a
// deadline, two keep-alive intervals away unless limit set an earlier
// one: as --pingms drops a peer silent for two intervals, a client that
// takes nothing for that long is gone, and must not hold the program,
// blocked on its full stdout, for ever. net/http's own WriteTimeout would
// cut every stream at the same age; the Server sets none.
type sseStream struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration // how long one write may take

	mu        sync.Mutex // one writer at a time: the output side, stderr, keep-alives
	nextID    uint64     // the last event's id: they count from 1
	ownIDs    bool       // the stream numbers its events, not a room's replay
	scratch   []byte     // the event being written
	lastWrite time.Time  // the last flush, which the keep-alive counts from
	err       error      // the first write that failed: the client is gone
	over      bool       // the response is done: nothing more may be written

	// limitMu orders limit, which may come from any goroutine, with end:
	// once the handler returns, the connection may serve another request.
	limitMu sync.Mutex
	ended   bool         // end has run; under limitMu
	writeBy atomic.Int64 // limit's bound, as Unix nanoseconds; 0: none
}

func newSSEStream(w http.ResponseWriter) *sseStream {
	return &sseStream{w: w, rc: http.NewResponseController(w), stall: 2 * sseKeepAlive, ownIDs: true}
}

// open sends the response's header at once: the client knows the stream
// is there before the program's first line.
func (st *sseStream) open() error {
	header := st.w.Header()
	header.Set("Content-Type", "text/event-stream")
	header.Set("Cache-Control", "no-cache")
	header.Set("X-Accel-Buffering", "no") // nginx: pass each event on as it comes
	st.w.WriteHeader(http.StatusOK)
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.flushLocked()
}

// numberedEvent sends a message as the event numbered id, the number a
// room's replay gave it (--roomreplay); 0 is the stream's own next
// number. With more, another follows at once, and the flush waits for the
// end of the burst. With ownIDs false, 0 is no id at all: the client keeps the last
// one, as for a message a room sent to some clients only.
func (st *sseStream) numberedEvent(id uint64, kind int, message []byte, more bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if id == 0 && st.ownIDs {
		st.nextID++
		id = st.nextID
	}
	st.scratch = appendEvent(st.scratch[:0], id, kind, message)
	err := st.writeLocked(st.scratch)
	if cap(st.scratch) > maxKeptEvent {
		st.scratch = nil // a long line's memory goes with it
	}
	if err != nil || more {
		return err
	}
	return st.flushLocked()
}

// flush sends what the last burst left unflushed.
func (st *sseStream) flush() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.flushLocked()
}

// keepAlive sends a comment if the stream has been silent for interval,
// and says how long to wait before the next look.
func (st *sseStream) keepAlive(interval time.Duration) (wait time.Duration, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if quiet := time.Since(st.lastWrite); quiet < interval {
		return interval - quiet, nil
	}
	if err := st.writeLocked([]byte(sseKeepAliveComment)); err != nil {
		return interval, err
	}
	return interval, st.flushLocked()
}

func (st *sseStream) writeLocked(p []byte) error {
	if err := st.usableLocked(); err != nil {
		return err
	}
	st.setDeadlineLocked()
	_, err := st.w.Write(p)
	return st.failedLocked(err)
}

func (st *sseStream) flushLocked() error {
	if err := st.usableLocked(); err != nil {
		return err
	}
	st.setDeadlineLocked()
	err := st.rc.Flush()
	st.lastWrite = time.Now()
	return st.failedLocked(err)
}

func (st *sseStream) usableLocked() error {
	if st.over {
		return errClientGone
	}
	return st.err
}

func (st *sseStream) failedLocked(err error) error {
	if err != nil && st.err == nil {
		st.err = err
	}
	return err
}

// setDeadlineLocked bounds the write about to start. A writer that does
// not support deadlines (a test's recorder) writes without one.
func (st *sseStream) setDeadlineLocked() {
	by := time.Now().Add(st.stall)
	if limit := st.writeBy.Load(); limit != 0 && limit < by.UnixNano() {
		by = time.Unix(0, limit)
	}
	st.rc.SetWriteDeadline(by)
}

// limit bounds the writes to come by by, and one under way: the
// connection's deadline, safe to set from any goroutine, interrupts it.
func (st *sseStream) limit(by time.Time) {
	st.limitMu.Lock()
	defer st.limitMu.Unlock()
	if st.ended {
		return // the response is done
	}
	st.writeBy.Store(by.UnixNano())
	st.rc.SetWriteDeadline(by)
}

// end flushes what is left and closes the stream to writers, before the
// handler returns. The connection loses its deadline: net/http may serve
// the client's next request on it, and sets none of its own.
func (st *sseStream) end() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.flushLocked()
	st.over = true
	st.limitMu.Lock()
	defer st.limitMu.Unlock()
	st.ended = true
	st.rc.SetWriteDeadline(time.Time{})
}
