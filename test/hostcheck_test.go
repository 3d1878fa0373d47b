//go:build !windows

package test

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostChecks is one server and the answers it gives to Host values.
type hostChecks struct {
	t      *testing.T
	s      *server
	static string // a file the server serves from --staticdir
}

// startHostChecks runs a server with a static file and a WebSocket
// command, with extra flags.
func startHostChecks(t *testing.T, flags ...string) hostChecks {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "page.txt"), []byte("a page\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--staticdir=" + dir}, flags...)
	return hostChecks{t: t, s: startServer(t, append(args, "cat")...), static: "/page.txt"}
}

// expect checks what an upgrade and a static request with Host get.
func (h hostChecks) expect(host string, upgrade, static int) {
	h.t.Helper()
	head := h.s.rawUpgrade("/", "")
	head = strings.Replace(head, "Host: "+h.s.addr, "Host: "+host, 1)
	if got := h.s.rawRequest(head); got.status != upgrade {
		h.t.Errorf("upgrade with Host %q: %d %q, want %d", host, got.status, got.body, upgrade)
	} else if upgrade == http.StatusForbidden && !strings.Contains(got.body, "--allowhost") {
		h.t.Errorf("upgrade with Host %q: the 403 does not name --allowhost: %q", host, got.body)
	}
	got := h.s.rawRequest("GET " + h.static + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
	if got.status != static {
		h.t.Errorf("static file with Host %q: %d %q, want %d", host, got.status, got.body, static)
	} else if static == http.StatusForbidden && !strings.Contains(got.body, "--allowhost") {
		h.t.Errorf("static file with Host %q: the 403 does not name --allowhost: %q", host, got.body)
	}
}

// A server on loopback alone answers loopback names only: a page that
// re-points its DNS name at 127.0.0.1 (DNS rebinding) sends its own name
// as Host, and gets 403 before any process starts.
func TestHostCheckOnLoopback(t *testing.T) {
	h := startHostChecks(t)
	_, port, _ := net.SplitHostPort(h.s.addr)
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1.evil.example"} {
		h.expect(host, http.StatusForbidden, http.StatusForbidden)
	}
	for _, host := range []string{h.s.addr, "localhost:" + port, "LOCALHOST.:" + port, "app.localhost", "[::1]:" + port} {
		h.expect(host, http.StatusSwitchingProtocols, http.StatusOK)
	}
	if refused := h.s.awaitLines("refused: Host not allowed", 6); len(refused) != 6 {
		t.Errorf("%d refusals logged, want 6:\n%s", len(refused), h.s.out)
	}
	waitFor(t, readTimeout, "the sessions to end", func() bool { return len(h.s.out.lines("| DISCONNECT")) == 5 })
	if started := len(h.s.out.lines("| CONNECT")); started != 5 {
		t.Errorf("%d processes started for 5 allowed upgrades", started)
	}
}

// --allowhost adds names to the loopback ones.
func TestAllowHostServesTheNamesListed(t *testing.T) {
	h := startHostChecks(t, "--allowhost=evil.example,.apps.example")
	for _, host := range []string{"evil.example", "Evil.Example:8080", "apps.example", "a.apps.example", "localhost"} {
		h.expect(host, http.StatusSwitchingProtocols, http.StatusOK)
	}
	for _, host := range []string{"other.example", "www.evil.example"} {
		h.expect(host, http.StatusForbidden, http.StatusForbidden)
	}
}

// A Unix socket usually has a proxy in front that forwards the public
// name, so a server with one is not "on loopback alone": without
// --allowhost it checks no Host, on any listener.
func TestHostNotCheckedWithAUnixSocket(t *testing.T) {
	h := startHostChecks(t, "--unixsocket="+socketPath(t))
	h.expect("public.example", http.StatusSwitchingProtocols, http.StatusOK)
}
