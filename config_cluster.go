package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/spf13/pflag"
	"github.com/websocketd/websocketd/libwebsocketd"
)

// The Clustering flags (a group in --help): rooms shared by several
// servers through NATS.

// clusterFlags are the Clustering flags as pflag writes them.
type clusterFlags struct {
	urls                  []string
	name                  string
	user, password, token string
	creds, ca             string
}

// The environment variables that may hold the secrets instead of the
// command line, where every user of the machine could read them (ps).
const (
	clusterPasswordEnv = "WEBSOCKETD_CLUSTER_PASSWORD"
	clusterTokenEnv    = "WEBSOCKETD_CLUSTER_TOKEN"
)

func declareClusterFlags(fs *pflag.FlagSet, c *clusterFlags) {
	fs.StringSliceVar(&c.urls, "cluster", nil, "share every room with the other servers on the NATS servers (JetStream on) in this comma-separated `LIST` of nats://HOST:PORT or tls://HOST:PORT: one process per room across them all (needs --room)")
	fs.StringVar(&c.name, "clustername", "websocketd", "prefix of every NATS subject and name of the lease bucket, so that several sites can share one NATS: letters, digits, - and _")
	fs.StringVar(&c.user, "clusteruser", "", "log in to NATS as `USER`, with --clusterpassword")
	fs.StringVar(&c.password, "clusterpassword", "", "NATS `PASSWORD` of --clusteruser (better: the environment variable "+clusterPasswordEnv+", which ps does not show)")
	fs.StringVar(&c.token, "clustertoken", "", "log in to NATS with this `TOKEN` (better: the environment variable "+clusterTokenEnv+")")
	fs.StringVar(&c.creds, "clustercreds", "", "log in to NATS with the credentials `FILE` (JWT and NKey seed, a .creds file)")
	fs.StringVar(&c.ca, "clusterca", "", "check NATS's TLS certificate against the CAs in `FILE` (PEM)")
}

// apply puts the Clustering flags into cfg; the secrets come from the
// environment when the flags do not give them.
func (c clusterFlags) apply(cfg *Config, environ []string) error {
	if len(c.urls) == 0 {
		if c.name != "websocketd" || c.user != "" || c.password != "" || c.token != "" || c.creds != "" || c.ca != "" {
			return fmt.Errorf("--clustername, --clusteruser, --clusterpassword, --clustertoken, --clustercreds and --clusterca need --cluster")
		}
		return nil
	}
	password, token := c.password, c.token
	if password == "" {
		password = lookupEnv(environ, clusterPasswordEnv)
	}
	if token == "" {
		token = lookupEnv(environ, clusterTokenEnv)
	}
	cfg.Handler.Cluster = &libwebsocketd.ClusterConfig{URLs: c.urls, Name: c.name,
		User: c.user, Password: password, Token: token, CredsFile: c.creds, CAFile: c.ca}
	return nil
}

func lookupEnv(environ []string, name string) string {
	for _, kv := range environ {
		if value, ok := strings.CutPrefix(kv, name+"="); ok {
			return value
		}
	}
	return ""
}

// clusterNamePattern is what a NATS subject token and a bucket name both
// accept.
var clusterNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// checkCluster refuses bad Clustering settings.
func (c Config) checkCluster(fail func(string, ...any)) {
	cl := c.Handler.Cluster
	if cl == nil {
		return
	}
	for _, u := range cl.URLs {
		if err := checkNATSURL(u); err != nil {
			fail("--cluster: %v", err)
		}
	}
	if !clusterNamePattern.MatchString(cl.Name) {
		fail("--clustername %q: want 1 to 64 letters, digits, - or _", cl.Name)
	}
	logins := 0
	for _, set := range []bool{cl.User != "", cl.Token != "", cl.CredsFile != ""} {
		if set {
			logins++
		}
	}
	if logins > 1 {
		fail("give one of --clusteruser, --clustertoken and --clustercreds")
	}
	if (cl.User == "") != (cl.Password == "") {
		fail("--clusteruser and --clusterpassword (or %s) go together", clusterPasswordEnv)
	}
}

// checkNATSURL accepts nats://HOST:PORT and tls://HOST:PORT, with user
// information or not.
func checkNATSURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Hostname() == "":
		return fmt.Errorf("%q: want nats://HOST:PORT or tls://HOST:PORT", raw)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q: a NATS address has no path or query", raw)
	}
	return nil
}
