//go:build !windows

package test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

// A reload that changes a cluster room's route gives the new route a NATS
// connection of its own; the old route's is closed once its last session
// and room have ended, so that reloads do not pile connections up on NATS.
func TestAReloadReleasesTheOldRoutesNATSConnection(t *testing.T) {
	nats := startNATS(t)
	routeFile := func(maxClients int) string {
		return "cluster = \"" + nats.url() + "\"\n[[route]]\npath = \"/chat\"\ncommand = [\"cat\"]\nroom = \"plain\"\n" +
			"maxclients = " + strconv.Itoa(maxClients) + "\n"
	}
	site := writeSite(t, routeFile(10))
	s := startServer(t, "--config="+site)
	awaitClusterLinks(t, s, 1) // until then, upgrades get 503
	old := s.dial("/chat")
	echoOnce(t, old, "before")
	awaitNATSConnections(t, nats, 1)

	rewrite(t, site, routeFile(20))
	reloadAndWait(t, s, "SIGHUP: 1 routes from")
	echoOnce(t, old, "the open session keeps its room")
	awaitClusterLinks(t, s, 2)
	changed := s.dial("/chat")
	echoOnce(t, changed, "the changed route")
	awaitNATSConnections(t, nats, 2)

	// The old route's node runs the room's process, which serves the
	// changed route's client too: it stays until the room ends.
	old.Close()
	changed.Close()
	awaitNATSConnections(t, nats, 1)
}

// awaitClusterLinks waits until websocketd has logged n connections to
// the cluster.
func awaitClusterLinks(t *testing.T, s *server, n int) {
	t.Helper()
	waitFor(t, readTimeout, "websocketd to reach NATS", func() bool {
		return len(s.out.lines("connected to the cluster")) >= n
	})
}

// awaitNATSConnections waits until nats-server counts want client
// connections (its monitoring /connz).
func awaitNATSConnections(t *testing.T, nats *natsServer, want int) {
	t.Helper()
	got := -1
	waitFor(t, readTimeout, "nats-server to count "+strconv.Itoa(want)+" connections", func() bool {
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(nats.monitor) + "/connz")
		if err != nil {
			t.Fatalf("nats-server's /connz: %v", err)
		}
		defer resp.Body.Close()
		var connz struct {
			Connections int `json:"num_connections"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&connz); err != nil {
			t.Fatalf("nats-server's /connz: %v", err)
		}
		got = connz.Connections
		return got == want
	})
}
