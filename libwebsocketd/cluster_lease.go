package libwebsocketd

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A room's lease says which node runs its process. It is a key of the
// cluster's key-value bucket, whose values expire leaseTTL after they are
// written (the bucket's own TTL: nats-server 2.9 has no per-key TTL). The
// holder writes it again every heartbeat, each write checked against the
// revision it last wrote, so a lease that expired and was taken by another
// node is never written over.
const (
	leaseTTL  = 3 * time.Second
	heartbeat = leaseTTL / 3
	// leaseOpTimeout bounds one operation on the bucket.
	leaseOpTimeout = heartbeat
)

// leaseStore is what a lease needs of the bucket (jetstream.KeyValue).
type leaseStore interface {
	Create(ctx context.Context, key string, value []byte, opts ...jetstream.KVCreateOpt) (uint64, error)
	Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error)
	Delete(ctx context.Context, key string, opts ...jetstream.KVDeleteOpt) error
	Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error)
}

// lease is one room's lease as one node sees it. Only the room's
// clusterRoom uses it, from one goroutine at a time.
type lease struct {
	store  leaseStore
	key    string
	holder []byte // this node's id, the value written
	rev    uint64 // the revision this node last wrote; 0: not held
	// renewed is when this node last wrote the lease. No other node can
	// take it before renewed+leaseTTL.
	renewed time.Time
}

// free reports whether nobody holds the lease: worth trying to take.
func (l *lease) free(ctx context.Context) bool {
	_, err := l.store.Get(ctx, l.key)
	return errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted)
}

// take tries to become the holder; false if another node holds the lease
// or the bucket cannot be reached.
func (l *lease) take(ctx context.Context, now time.Time) bool {
	rev, err := l.store.Create(ctx, l.key, l.holder)
	if err != nil {
		return false
	}
	l.rev, l.renewed = rev, now
	return true
}

// renew writes the lease again and reports whether this node still holds
// it. A write that fails for want of the bucket leaves the lease held for
// a while; it is given up two thirds into its life, while no other node
// can have taken it, so that two processes never run at once.
func (l *lease) renew(ctx context.Context, now time.Time) bool {
	if l.rev == 0 {
		return false
	}
	rev, err := l.store.Update(ctx, l.key, l.holder, l.rev)
	switch {
	case err == nil:
		l.rev, l.renewed = rev, now
		return true
	case errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyNotFound):
		l.rev = 0 // expired, perhaps taken since: not ours any more
		return false
	case now.Sub(l.renewed) >= 2*leaseTTL/3:
		l.rev = 0
		return false
	}
	return true
}

// release gives the lease up at once, so that another node need not wait
// for it to expire; only the revision this node wrote is deleted.
func (l *lease) release(ctx context.Context) {
	if l.rev == 0 {
		return
	}
	l.store.Delete(ctx, l.key, jetstream.LastRevision(l.rev))
	l.rev = 0
}

func (l *lease) held() bool { return l.rev != 0 }
