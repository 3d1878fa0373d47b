package libwebsocketd

import "sync/atomic"

// forkLimiter counts live processes against --maxforks, or connections
// against --maxclients.
type forkLimiter struct {
	max  int64 // 0 means unlimited
	live atomic.Int64
}

// acquire takes a slot, or reports false when all are taken.
func (l *forkLimiter) acquire() bool {
	if l.live.Add(1) > l.max && l.max > 0 {
		l.live.Add(-1)
		return false
	}
	return true
}

func (l *forkLimiter) release() { l.live.Add(-1) }
