package libwebsocketd

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ClusterConfig joins the server to the others that share its rooms
// through a NATS server with JetStream (--cluster). Every room is then
// cluster-wide: one process, on one node, for the clients of all.
type ClusterConfig struct {
	// URLs are the NATS servers, nats://HOST:PORT or tls://HOST:PORT.
	URLs []string
	// Name prefixes every subject and names the lease bucket, so that
	// several sites can share one NATS.
	Name string
	// User and Password, or Token, or CredsFile (a NATS .creds file)
	// authenticate the server to NATS; CAFile is the CAs that NATS's
	// TLS certificate is checked against.
	User, Password, Token string
	CredsFile, CAFile     string
}

// errClusterDown refuses a new room client (503) while the node cannot
// reach NATS: it could not find the room's process, and never falls back
// to a room of its own.
var errClusterDown = errors.New("the cluster (NATS) is unreachable")

// cluster is the node's connection to NATS and its lease bucket.
type cluster struct {
	cfg     ClusterConfig
	log     *slog.Logger
	metrics *Metrics
	node    string // this node's id, in the leases and presence messages
	nc      *nats.Conn

	mu     sync.Mutex
	kv     jetstream.KeyValue // nil until the bucket is bound on this connection
	bound  chan struct{}      // closed once kv is set
	closed bool
}

// newCluster connects to NATS, retrying in the background: the server
// starts even while NATS is away, and refuses room clients until it is
// back.
func newCluster(cfg ClusterConfig, log *slog.Logger, metrics *Metrics) (*cluster, error) {
	c := &cluster{cfg: cfg, log: log.With("category", "cluster"), metrics: metrics,
		node: rand.Text(), bound: make(chan struct{})}
	metrics.clusterReachable(false)
	opts := []nats.Option{nats.Name("websocketd " + c.node), nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true), nats.ReconnectWait(500 * time.Millisecond),
		nats.ConnectHandler(func(nc *nats.Conn) { go c.bind(nc) }),
		nats.ReconnectHandler(func(nc *nats.Conn) { go c.bind(nc) }),
		nats.DisconnectErrHandler(c.disconnected)}
	opts = append(opts, cfg.authOptions()...)
	nc, err := nats.Connect(strings.Join(cfg.URLs, ","), opts...)
	if err != nil {
		return nil, err
	}
	c.nc = nc // the ConnectHandler binds the bucket, also on a first try that worked
	return c, nil
}

func (cfg ClusterConfig) authOptions() []nats.Option {
	var opts []nats.Option
	if cfg.User != "" {
		opts = append(opts, nats.UserInfo(cfg.User, cfg.Password))
	}
	if cfg.Token != "" {
		opts = append(opts, nats.Token(cfg.Token))
	}
	if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	}
	if cfg.CAFile != "" {
		opts = append(opts, nats.RootCAs(cfg.CAFile))
	}
	return opts
}

// bind makes sure the lease bucket exists, on each (re)connection: NATS
// may have come back without it. Until it is there the node refuses room
// clients; it tries again each heartbeat while connected.
func (c *cluster) bind(nc *nats.Conn) {
	for nc.IsConnected() {
		kv, err := c.createBucket(nc)
		if err == nil {
			c.mu.Lock()
			c.kv = kv
			select {
			case <-c.bound:
			default:
				close(c.bound)
			}
			c.mu.Unlock()
			c.metrics.clusterReachable(true)
			c.log.Info("connected to the cluster", "nats", nc.ConnectedUrlRedacted())
			return
		}
		c.log.Error("cannot open the cluster's lease bucket (does NATS run JetStream?)", "error", err)
		time.Sleep(heartbeat) // a retry's pace, not a synchronisation
	}
}

func (c *cluster) createBucket(nc *nats.Conn) (jetstream.KeyValue, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// In memory: a lease is worth nothing once NATS restarts, and the
	// nodes that have clients then take the rooms again.
	return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: c.cfg.Name + "-rooms",
		Description: "websocketd: which node runs each room's process",
		TTL:         leaseTTL, History: 1, Storage: jetstream.MemoryStorage})
}

func (c *cluster) disconnected(_ *nats.Conn, err error) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	c.metrics.clusterReachable(false)
	if !closed {
		c.log.Error("lost the cluster (NATS): new room clients get 503 until it is back", "error", err)
	}
}

// store is the lease bucket, or nil while the cluster is unreachable.
func (c *cluster) store() leaseStore {
	if !c.nc.IsConnected() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kv == nil {
		return nil
	}
	return c.kv
}

// close flushes what is still to be published (a handover, presence) and
// leaves NATS, at the end of a shutdown.
func (c *cluster) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.nc.FlushTimeout(time.Second)
	c.nc.Close()
}

// roomSubjects are the subjects of one room, named by a hash of its key:
// a room's path may hold anything, a subject only some characters.
type roomSubjects struct {
	id, in, out, here, replay string
}

func (c *cluster) subjects(key string) roomSubjects {
	sum := sha256.Sum256([]byte(key))
	id := hex.EncodeToString(sum[:16])
	prefix := c.cfg.Name + ".room." + id
	return roomSubjects{id: id, in: prefix + ".in", out: prefix + ".out", here: prefix + ".here",
		replay: prefix + ".replay"}
}
