package libwebsocketd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// fakeBucket is a key-value bucket of one key whose revisions are checked
// as JetStream checks them; down makes every operation fail as an
// unreachable NATS does.
type fakeBucket struct {
	jetstream.KeyValue // the methods a lease does not use
	rev, seq           uint64
	down               bool
}

var errFakeDown = errors.New("no responders")

func (b *fakeBucket) Create(_ context.Context, _ string, _ []byte, _ ...jetstream.KVCreateOpt) (uint64, error) {
	return b.write(0)
}

func (b *fakeBucket) Update(_ context.Context, _ string, _ []byte, rev uint64) (uint64, error) {
	return b.write(rev)
}

func (b *fakeBucket) write(expected uint64) (uint64, error) {
	switch {
	case b.down:
		return 0, errFakeDown
	case b.rev != expected:
		return 0, jetstream.ErrKeyExists
	}
	b.seq++
	b.rev = b.seq
	return b.rev, nil
}

func (b *fakeBucket) Delete(_ context.Context, _ string, _ ...jetstream.KVDeleteOpt) error {
	b.rev = 0
	return nil
}

func (b *fakeBucket) Get(context.Context, string) (jetstream.KeyValueEntry, error) {
	if b.down {
		return nil, errFakeDown
	}
	if b.rev == 0 {
		return nil, jetstream.ErrKeyNotFound
	}
	return nil, nil
}

// expire is the bucket's TTL removing the key.
func (b *fakeBucket) expire() { b.rev = 0 }

func TestLeaseOneHolderAtATime(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	b := &fakeBucket{}
	a, c := lease{store: b, holder: []byte("a")}, lease{store: b, holder: []byte("c")}
	if !a.free(ctx) || !a.take(ctx, now) {
		t.Fatal("a could not take a free lease")
	}
	if c.free(ctx) || c.take(ctx, now) {
		t.Fatal("c took a lease that a holds")
	}
	if !a.renew(ctx, now.Add(heartbeat)) {
		t.Fatal("a lost a lease nobody else took")
	}
	b.expire() // as if a had stopped renewing for a lease's time
	if !c.take(ctx, now.Add(heartbeat)) {
		t.Fatal("c could not take an expired lease")
	}
	// At once, not for want of renewals: the bucket says it is c's.
	if a.renew(ctx, now.Add(heartbeat+time.Millisecond)) || a.held() {
		t.Fatal("a renewed over c's lease")
	}
	c.release(ctx)
	if !a.take(ctx, now.Add(leaseTTL)) {
		t.Fatal("a could not take a released lease")
	}
}

// TestLeaseUnreachableGivenUpInTime: a holder that cannot reach the
// bucket keeps its lease for a while, and gives it up before it can
// expire, so that no other node can start a second process meanwhile.
func TestLeaseUnreachableGivenUpInTime(t *testing.T) {
	ctx, start := context.Background(), time.Now()
	b := &fakeBucket{}
	l := lease{store: b, holder: []byte("a")}
	l.take(ctx, start)
	b.down = true
	if !l.renew(ctx, start.Add(heartbeat)) {
		t.Fatal("one failed renewal gave the lease up")
	}
	if l.renew(ctx, start.Add(2*leaseTTL/3)) || l.held() {
		t.Fatal("the lease was kept two thirds into its life without a renewal")
	}
	b.down = false
	if l.renew(ctx, start.Add(leaseTTL)) {
		t.Fatal("a lease given up was renewed")
	}
}
