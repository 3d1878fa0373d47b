//go:build !windows

package test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Rooms across servers (--cluster): a real nats-server with JetStream on
// loopback, three websocketd nodes, clients spread over them.

const natsServerPath = "/usr/sbin/nats-server"

// takeoverTimeout bounds a new owner's start after the old one died: the
// lease's life (3s) and a heartbeat, with room for a loaded machine.
const takeoverTimeout = 30 * time.Second

type natsServer struct {
	t       testing.TB
	port    int
	monitor int // the HTTP port of its /connz
	dir     string
	cmd     *exec.Cmd
	done    chan struct{}
}

// startNATS runs nats-server with JetStream in a temporary directory on a
// free loopback port. Missing: skipped, except in CI.
func startNATS(t testing.TB) *natsServer {
	t.Helper()
	if _, err := os.Stat(natsServerPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs %s (.ci/run installs nats-server): %v", natsServerPath, err)
		}
		t.Skipf("no %s (apt-get install nats-server): %v", natsServerPath, err)
	}
	n := &natsServer{t: t, port: freePort(t), monitor: freePort(t), dir: t.TempDir()}
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *natsServer) url() string { return "nats://127.0.0.1:" + strconv.Itoa(n.port) }

// start runs the server (again, on the same port and store) and waits
// until it accepts connections.
func (n *natsServer) start() {
	n.t.Helper()
	n.cmd = exec.Command(natsServerPath, "-js", "-sd", n.dir, "-a", "127.0.0.1", "-p", strconv.Itoa(n.port),
		"-m", strconv.Itoa(n.monitor))
	out := &syncBuffer{}
	n.cmd.Stdout, n.cmd.Stderr = out, out
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("starting nats-server: %v", err)
	}
	done := make(chan struct{})
	n.done = done
	go func() { n.cmd.Wait(); close(done) }()
	waitFor(n.t, startTimeout, "nats-server to be ready", func() bool {
		select {
		case <-done:
			n.t.Fatalf("nats-server exited:\n%s", out)
		default:
		}
		return strings.Contains(out.String(), "Server is ready")
	})
}

func (n *natsServer) stop() {
	if n.cmd.Process == nil {
		return
	}
	n.cmd.Process.Kill()
	<-n.done
}

// roomScript is a JSON room's process: it records its pid, tells each
// client its id, broadcasts messages, and sends "to:ID:TEXT" to ID alone.
const roomScript = `#!/usr/bin/python3
import json, os, sys
open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
for line in sys.stdin:
    e = json.loads(line)
    if e["event"] == "restart":
        say({"data": "restart"})
    elif e["event"] == "join":
        say({"to": [e["client"]], "data": "you are " + e["client"]})
    elif e["event"] == "message":
        text = e["data"]
        if text.startswith("to:"):
            _, who, rest = text.split(":", 2)
            say({"to": [who], "data": rest})
        else:
            say({"data": text})
`

type clusterNode struct {
	*server
	metrics string // base URL of /metrics and /healthz
}

// startCluster starts n websocketd nodes of one --room=json cluster; the
// room's processes record their pids in pids.
func startCluster(t *testing.T, nats *natsServer, n int) (nodes []*clusterNode, pids string) {
	t.Helper()
	pids = t.TempDir()
	prog := filepath.Join(t.TempDir(), "room.py")
	if err := os.WriteFile(prog, []byte(roomScript), 0o755); err != nil {
		t.Fatal(err)
	}
	return startNodes(t, nats, n, "--room=json", prog, pids), pids
}

// startNodes starts n websocketd nodes of one cluster with args (room
// flags and the command) and waits until each has reached NATS.
func startNodes(t *testing.T, nats *natsServer, n int, args ...string) (nodes []*clusterNode) {
	t.Helper()
	for range n {
		s := startServer(t, append([]string{"--cluster=" + nats.url(), "--metrics=127.0.0.1:0"}, args...)...)
		nodes = append(nodes, &clusterNode{server: s, metrics: s.metricsURL()})
	}
	for _, node := range nodes {
		waitFor(t, startTimeout, "the node to reach the cluster", func() bool {
			status, _ := httpGet(t, node.metrics+"/healthz")
			return status == http.StatusOK
		})
	}
	return nodes
}

// joinRoom connects to path on node and returns the connection and the
// client's id, which the room's process tells it first.
func joinRoom(t *testing.T, node *clusterNode, path string) (*websocket.Conn, string) {
	t.Helper()
	c := node.dial(path)
	_, hello := receive(t, c)
	id, ok := strings.CutPrefix(hello, "you are ")
	if !ok {
		t.Fatalf("first message %q, want \"you are ID\"", hello)
	}
	return c, id
}

// expectEitherFirst reads a message, and the next one instead if the
// first is optional.
func expectEitherFirst(t *testing.T, c *websocket.Conn, optional string) string {
	t.Helper()
	_, got := receive(t, c)
	if got == optional {
		_, got = receive(t, c)
	}
	return got
}

// livePIDs are the recorded room processes still running.
func livePIDs(t testing.TB, dir string) []int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var live []int
	for _, e := range entries {
		pid, _ := strconv.Atoi(e.Name())
		if pid > 0 && alive(pid) {
			live = append(live, pid)
		}
	}
	return live
}

func recordedPIDs(t testing.TB, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// owner is the node whose child the room's one process is.
func owner(t *testing.T, nodes []*clusterNode) int {
	t.Helper()
	found := -1
	for i, node := range nodes {
		switch kids := len(node.children()); {
		case kids == 1 && found < 0:
			found = i
		case kids > 0:
			t.Fatalf("node %d has %d children, and node %d one: want one process in all", i, kids, found)
		}
	}
	if found < 0 {
		t.Fatalf("no node runs the room's process")
	}
	return found
}

func TestClusterOneProcessAcrossNodes(t *testing.T) {
	nodes, pids := startCluster(t, startNATS(t), 3)
	var clients []*websocket.Conn
	var ids []string
	for i := range 6 {
		c, id := joinRoom(t, nodes[i%3], "/chat")
		clients, ids = append(clients, c), append(ids, id)
	}
	if live := livePIDs(t, pids); len(live) != 1 || recordedPIDs(t, pids) != 1 {
		t.Fatalf("room processes %v (%d started): want exactly one across the three nodes", live, recordedPIDs(t, pids))
	}
	owner(t, nodes)

	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range nodes {
				t.Log(n.out.String())
			}
		}
	})
	send(t, clients[2], websocket.TextMessage, "hello everyone")
	for _, c := range clients {
		expectText(t, c, "hello everyone")
	}
	// to: from a client of node 0 to one of node 2, and to nobody else.
	send(t, clients[0], websocket.TextMessage, "to:"+ids[5]+":just for you")
	send(t, clients[0], websocket.TextMessage, "after")
	expectText(t, clients[5], "just for you")
	for _, c := range clients {
		expectText(t, c, "after")
	}
}

// TestClusterProcessEndsAfterLastClientAnywhere: the owner keeps the
// process while another node has clients, and stops it once none has.
func TestClusterProcessEndsAfterLastClientAnywhere(t *testing.T) {
	nodes, pids := startCluster(t, startNATS(t), 2)
	first, _ := joinRoom(t, nodes[0], "/chat") // node 0 starts the process
	second, _ := joinRoom(t, nodes[1], "/chat")
	if owner(t, nodes) != 0 {
		t.Fatal("the first client's node does not run the room's process")
	}
	first.Close()
	nodes[0].awaitLines("DISCONNECT", 1)
	send(t, second, websocket.TextMessage, "anyone?")
	expectText(t, second, "anyone?")
	if live := livePIDs(t, pids); len(live) != 1 || recordedPIDs(t, pids) != 1 {
		t.Fatalf("room processes %v: want the first one still serving node 1", live)
	}
	second.Close()
	waitFor(t, takeoverTimeout, "the room's process to end", func() bool {
		return len(livePIDs(t, pids)) == 0
	})
	// The old owner may hold the room's lease a moment longer than its
	// process lives: the new process then starts as its handover, and
	// says "restart" before it greets the client.
	third := nodes[1].dial("/chat")
	hello := expectEitherFirst(t, third, "restart")
	if !strings.HasPrefix(hello, "you are ") {
		t.Fatalf("the new room's process said %q, want \"you are ID\"", hello)
	}
	send(t, third, websocket.TextMessage, "new room")
	expectText(t, third, "new room")
	if recordedPIDs(t, pids) != 2 {
		t.Fatalf("%d room processes started: want a new one for the new client", recordedPIDs(t, pids))
	}
}

func TestClusterOwnerKilledAnotherTakesOver(t *testing.T) {
	nodes, pids := startCluster(t, startNATS(t), 3)
	var clients []*websocket.Conn
	var ids []string
	for i := range 3 {
		c, id := joinRoom(t, nodes[i], "/chat")
		clients, ids = append(clients, c), append(ids, id)
	}
	dead := owner(t, nodes)
	nodes[dead].cmd.Process.Signal(syscall.SIGKILL)
	<-nodes[dead].done
	var left []*websocket.Conn
	var rest []*clusterNode
	for i := range nodes {
		if i != dead {
			left, rest = append(left, clients[i]), append(rest, nodes[i])
		}
	}
	// The new process hears of the restart first, then of the clients
	// still there, as joins; the script tells each its id again.
	for i, c := range clients {
		if i == dead {
			continue
		}
		c.SetReadDeadline(time.Now().Add(takeoverTimeout))
		if _, got, err := c.ReadMessage(); err != nil || string(got) != "restart" {
			t.Fatalf("after the owner's death got %q, %v: want \"restart\" while still connected", got, err)
		}
		expectText(t, c, "you are "+ids[i])
	}
	waitFor(t, readTimeout, "the dead owner's process to end", func() bool {
		return len(livePIDs(t, pids)) == 1
	})
	if recordedPIDs(t, pids) != 2 {
		t.Fatalf("%d room processes started: want the first and one new", recordedPIDs(t, pids))
	}
	owner(t, rest)
	send(t, left[0], websocket.TextMessage, "still here")
	for _, c := range left {
		expectText(t, c, "still here")
	}
}

func TestClusterNATSDownRefusesAndRecovers(t *testing.T) {
	nats := startNATS(t)
	nodes, _ := startCluster(t, nats, 2)
	first, _ := joinRoom(t, nodes[0], "/chat")
	nats.stop()
	for _, node := range nodes {
		waitFor(t, readTimeout, "/healthz to fail without NATS", func() bool {
			status, _ := httpGet(t, node.metrics+"/healthz")
			return status == http.StatusServiceUnavailable
		})
	}
	if status := nodes[1].dialStatus("/chat", nil); status != http.StatusServiceUnavailable {
		t.Fatalf("a new client without NATS got %d, want 503", status)
	}
	_, body := httpGet(t, nodes[1].metrics+"/metrics")
	if got := metric(body, "websocketd_cluster_unreachable_refusals_total"); got != 1 {
		t.Errorf("websocketd_cluster_unreachable_refusals_total %v, want 1", got)
	}
	if got := metric(body, "websocketd_cluster_reachable"); got != 0 {
		t.Errorf("websocketd_cluster_reachable %v, want 0", got)
	}

	nats.start()
	for _, node := range nodes {
		waitFor(t, takeoverTimeout, "/healthz to pass again", func() bool {
			status, _ := httpGet(t, node.metrics+"/healthz")
			return status == http.StatusOK
		})
	}
	second, _ := joinRoom(t, nodes[1], "/chat")
	// The first client stayed connected; a message from it reaches the
	// new one, once the room has a process again.
	waitFor(t, takeoverTimeout, "the room to serve both clients", func() bool {
		send(t, first, websocket.TextMessage, "ping")
		second.SetReadDeadline(time.Now().Add(time.Second))
		_, got, err := second.ReadMessage()
		return err == nil && string(got) == "ping"
	})
}

// TestClusterFlagsRefused: --cluster is for rooms, and a bad address is
// refused before the server starts.
func TestClusterFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--cluster=nats://127.0.0.1:4222", "cat"}, "--cluster needs --room"},
		{[]string{"--room", "--cluster=http://127.0.0.1:4222", "cat"}, "want nats://HOST:PORT"},
		{[]string{"--room", "--clustername=x", "cat"}, "need --cluster"},
	} {
		out, err := exec.Command(binary, c.args...).CombinedOutput()
		if code := exitCode(err); code != 1 || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: exit %d, output %q; want 1 and %q", c.args, code, out, c.want)
		}
	}
}

func exitCode(err error) int {
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// A room's process that ends by itself ends the room on every node: a
// node still reading the output when the lease is let go must not start
// a new process for clients the end is about to close (nobody would stop
// it).
func TestClusterProcessThatEndsStartsNoOtherAnywhere(t *testing.T) {
	const lines = 30000
	pids := t.TempDir()
	prog := script(t, "burst.sh", "touch \""+pids+"/$$\"\nread go\nexec seq "+strconv.Itoa(lines)+"\n")
	nodes := startNodes(t, startNATS(t), 2, "--room", prog)
	first := nodes[0].dial("/burst") // node 0 runs the process
	var readers []*websocket.Conn
	for range 20 {
		readers = append(readers, nodes[1].dial("/burst"))
	}
	send(t, first, websocket.TextMessage, "go")
	for _, c := range append(readers, first) {
		for {
			c.SetReadDeadline(time.Now().Add(takeoverTimeout))
			if _, _, err := c.ReadMessage(); err != nil {
				break // the room's end closed it (or the deadline: checked below)
			}
		}
	}
	waitFor(t, takeoverTimeout, "no room process left", func() bool { return len(livePIDs(t, pids)) == 0 })
	if n := recordedPIDs(t, pids); n != 1 {
		t.Fatalf("%d room processes were started, want 1: a node took the lease of a room whose process had ended", n)
	}
}
