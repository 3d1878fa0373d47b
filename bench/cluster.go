//go:build !windows

package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

// Cluster fan-out: the fan-out load on one room spread over three
// websocketd nodes that share one nats-server (--cluster), against the
// same load on one node without --cluster. Everything runs on the server
// CPU, so the ratio is what the cluster costs for the same CPU; the CPU
// figure counts the three nodes, their children and the nats-server.

// clusterNodes is how many websocketd nodes share the room.
const clusterNodes = 3

// natsReady is what nats-server logs once it takes clients; started on
// port -1 (a free one), it says which.
var natsReady = regexp.MustCompile(`Listening for client connections on ([^ ]+)`)

// metricsLine is where websocketd logs --metrics=127.0.0.1:0's address.
var metricsLine = regexp.MustCompile(`metrics on (http://[^ ]+)/metrics`)

// defaultNATSServer is nats-server from PATH, else where Debian puts it
// (/usr/sbin, often not in a user's PATH).
func defaultNATSServer() string {
	if path, err := exec.LookPath("nats-server"); err == nil {
		return path
	}
	return "/usr/sbin/nats-server"
}

// needNATS skips the cluster benchmark where nats-server is missing.
func (b *bench) needNATS() error {
	if _, err := exec.LookPath(b.opts.natsServer); err != nil {
		return fmt.Errorf("no nats-server (-nats-server; apt-get install nats-server): %v", err)
	}
	return nil
}

// cluster is one nats-server with JetStream and the websocketd nodes
// that share rooms through it.
type cluster struct {
	nats  *serverProc
	dir   string // the nats-server's store
	nodes []*serverProc
}

// startCluster starts nats-server, then the nodes with args (room flags
// and the command), and waits until every node has reached NATS.
func (b *bench) startCluster(args ...string) (*cluster, error) {
	dir, err := os.MkdirTemp("", "websocketd-bench-nats-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	c.nats, err = startProcess(b.serverCPU, natsReady,
		b.opts.natsServer, "-js", "-sd", dir, "-a", "127.0.0.1", "-p", "-1")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	nodeArgs := append([]string{"--cluster=nats://" + c.nats.addr, "--metrics=127.0.0.1:0"}, args...)
	for range clusterNodes {
		node, err := b.websocketd(nodeArgs...)
		if err != nil {
			c.kill()
			return nil, err
		}
		c.nodes = append(c.nodes, node)
		if err := waitHealthy(node); err != nil {
			c.kill()
			return nil, err
		}
	}
	return c, nil
}

// waitHealthy polls the node's /healthz until it answers 200, which it
// does once the node has reached NATS: before, a room client gets 503.
func waitHealthy(node *serverProc) error {
	m := metricsLine.FindStringSubmatch(node.out.String())
	if m == nil {
		return fmt.Errorf("no metrics address in the log:\n%s", node.out)
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(m[1] + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("node %d not healthy within %v (last: %v)\n%s", node.pid, startTimeout, err, node.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pids are the processes whose CPU the benchmark counts.
func (c *cluster) pids() []int {
	pids := []int{c.nats.pid}
	for _, node := range c.nodes {
		pids = append(pids, node.pid)
	}
	return pids
}

func (c *cluster) urls(path string) []string {
	var urls []string
	for _, node := range c.nodes {
		urls = append(urls, node.url(path))
	}
	return urls
}

// stop ends the nodes first (they hand their rooms over through NATS),
// then nats-server; any unclean exit is an error.
func (c *cluster) stop() error {
	var errs []error
	for _, node := range c.nodes {
		errs = append(errs, node.stop())
	}
	// nats-server exits with status 1 on SIGTERM, 0 on SIGINT.
	errs = append(errs, c.nats.stopWith(syscall.SIGINT))
	os.RemoveAll(c.dir)
	return errors.Join(errs...)
}

func (c *cluster) kill() {
	for _, node := range c.nodes {
		node.kill()
	}
	c.nats.kill()
	os.RemoveAll(c.dir)
}

// clusterFanoutCommand is the room's process: it waits for the first
// client's "go", writes the lines, then lives on (cat) until the room
// ends. One that ended by itself while its clients were still reading
// would be started again on another node, and that one was still there
// 30 s after the last client left (see BENCHMARKS.md).
func clusterFanoutCommand(lines int) []string {
	return []string{"--room", "--maxforks=0", "sh", "-c", "read go && seq " + strconv.Itoa(lines) + " && exec cat"}
}

func (b *bench) clusterFanoutOurs() (measurement, error) {
	load := b.fanoutLoad(b.opts.clusterClients)
	c, err := b.startCluster(clusterFanoutCommand(load.lines)...)
	if err != nil {
		return measurement{}, err
	}
	m, err := measureFanoutCPU(c.pids(), c.urls("/room"), load)
	if err != nil {
		c.kill()
		return m, err
	}
	return m, c.stop()
}

// clusterFanoutSingle is the ceiling: one node, no --cluster.
func (b *bench) clusterFanoutSingle() (measurement, error) {
	load := b.fanoutLoad(b.opts.clusterClients)
	s, err := b.websocketd(clusterFanoutCommand(load.lines)...)
	return withServer(s, err, func(s *serverProc) (measurement, error) {
		return measureFanoutCPU([]int{s.pid}, []string{s.url("/room")}, load)
	})
}

// measureFanoutCPU runs the fan-out load with its clients dialled
// round-robin over urls, and reads the CPU the processes pids and their
// children spent on it, once every child is reaped (as echo does).
func measureFanoutCPU(pids []int, urls []string, load fanoutLoad) (measurement, error) {
	before, err := sumCPU(pids)
	if err != nil {
		return measurement{}, err
	}
	elapsed, err := load.run(urls...)
	if err != nil {
		return measurement{}, err
	}
	for _, pid := range pids {
		if err := waitNoChildren(pid, stallTimeout); err != nil {
			return measurement{}, err
		}
	}
	after, err := sumCPU(pids)
	if err != nil {
		return measurement{}, err
	}
	deliveries := load.lines * load.clients
	return measurement{value: float64(deliveries) / elapsed.Seconds(),
		cpuPer100k: after.sub(before).total() * 100000 / time.Duration(deliveries)}, nil
}

// sumCPU adds up the CPU times of pids.
func sumCPU(pids []int) (cpuTimes, error) {
	var sum cpuTimes
	for _, pid := range pids {
		t, err := readCPU(pid)
		if err != nil {
			return cpuTimes{}, err
		}
		sum.self += t.self
		sum.children += t.children
	}
	return sum, nil
}
