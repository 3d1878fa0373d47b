package libwebsocketd

import "sync/atomic"

// slotLimit counts what holds one of a bounded number of slots: live
// processes (WebSocket sessions, rooms, CGI scripts) against --maxforks,
// or WebSocket connections against --maxclients.
type slotLimit struct {
	max  int64 // 0 means unlimited
	live atomic.Int64
	// parent, when set, is a limit shared with others that a slot here
	// takes too: a route's processes count against the site's --maxforks.
	parent *slotLimit
}

// acquire takes a slot, or reports false when all are taken.
func (l *slotLimit) acquire() bool {
	if l.live.Add(1) > l.max && l.max > 0 {
		l.live.Add(-1)
		return false
	}
	if l.parent != nil && !l.parent.acquire() {
		l.live.Add(-1)
		return false
	}
	return true
}

func (l *slotLimit) release() {
	l.live.Add(-1)
	if l.parent != nil {
		l.parent.release()
	}
}
