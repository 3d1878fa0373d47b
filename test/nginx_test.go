//go:build !windows

package test

import (
	"crypto/rand"
	"fmt"
	"io"
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

// nginxConfig proxies everything to websocketd with the location block
// docs/production.md tells users to write (readmeNginxLocation). /nginx-ready
// answers a token so the test knows that this nginx, and no other
// program, owns the port.
const nginxConfig = `%[1]s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 127.0.0.1:%[3]d;
        location = /nginx-ready { return 200 "%[4]s"; }
        location / {
%[5]s
        }
    }
}
`

// readmeNginx is the "Behind nginx" set-up of docs/production.md: what the tests run is
// what users are told to run.
type readmeNginx struct {
	location   string   // the directives of the location block
	serverName string   // the public name nginx serves
	flags      []string // websocketd's flags but --port and --address
}

// readReadmeNginx reads the nginx example of docs/production.md and the websocketd
// command line that follows it.
func readReadmeNginx(t testing.TB) readmeNginx {
	t.Helper()
	readme, err := os.ReadFile("../docs/production.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(readme), "## Behind nginx\n")
	_, block, hasBlock := strings.Cut(section, "```nginx\n")
	block, after, closed := strings.Cut(block, "```")
	_, location, inLocation := strings.Cut(block, "location / {\n")
	location, _, ended := strings.Cut(location, "\n    }\n")
	_, serverName, named := strings.Cut(block, "server_name ")
	serverName, _, _ = strings.Cut(serverName, ";")
	_, command, hasCommand := strings.Cut(after, "```sh\nwebsocketd ")
	command, _, _ = strings.Cut(command, "\n")
	if !found || !hasBlock || !closed || !inLocation || !ended || !named || !hasCommand {
		t.Fatalf("docs/production.md's nginx section lacks the nginx block, its location /, server_name or the websocketd command")
	}
	setup := readmeNginx{location: location, serverName: serverName}
	args := strings.Fields(command)
	for _, arg := range args[:len(args)-1] { // the last is the program
		if !strings.HasPrefix(arg, "--port=") && !strings.HasPrefix(arg, "--address=") {
			setup.flags = append(setup.flags, arg)
		}
	}
	return setup
}

// locationFor returns the location block with proxy_pass pointed at
// backend.
func (r readmeNginx) locationFor(backend string) string {
	lines := strings.Split(r.location, "\n")
	for i, line := range lines {
		if strings.Contains(line, "proxy_pass ") {
			lines[i] = "proxy_pass http://" + backend + ";"
		}
	}
	return strings.Join(lines, "\n")
}

// findNginx looks in PATH, then where Debian puts nginx (/usr/sbin may be
// missing from an unprivileged PATH).
func findNginx(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("nginx"); err != nil {
		if info, err := os.Stat("/usr/sbin/nginx"); err == nil && !info.IsDir() {
			return "/usr/sbin/nginx"
		}
	}
	return requireTool(t, "nginx")
}

// startNginx runs nginx in the foreground in a temporary prefix, proxying
// to backend, and returns its address. It is stopped when the test ends.
func startNginx(t testing.TB, backend string) string {
	t.Helper()
	nginx := findNginx(t)
	location := readReadmeNginx(t).locationFor(backend)
	// As root, the workers would otherwise run as nobody, who cannot use
	// the test's private temporary directory.
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	var addr string
	startOnFreePort(t, func(port int) bool {
		prefix := t.TempDir()
		token := rand.Text()
		conf := filepath.Join(prefix, "nginx.conf")
		data := fmt.Sprintf(nginxConfig, user, prefix, port, token, location)
		if err := os.WriteFile(conf, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(nginx, "-p", prefix, "-c", conf, "-e", filepath.Join(prefix, "error.log"), "-g", "daemon off;")
		output := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = output, output
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() { stopNginx(t, cmd, exited) })
		addr = "127.0.0.1:" + strconv.Itoa(port)
		return waitNginx(t, addr, token, exited, prefix, output)
	})
	return addr
}

// waitNginx waits until nginx answers its token; it reports false when
// nginx exited because the port was taken meanwhile.
func waitNginx(t testing.TB, addr, token string, exited <-chan struct{}, prefix string, output *syncBuffer) bool {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	answers := func() bool {
		resp, err := client.Get("http://" + addr + "/nginx-ready")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body) == token
	}
	var gone bool
	waitFor(t, startTimeout, "nginx to answer", func() bool {
		select {
		case <-exited:
			gone = true
			return true
		default:
			return answers()
		}
	})
	if !gone {
		return true
	}
	errorLog, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
	if strings.Contains(string(errorLog)+output.String(), "Address already in use") {
		return false
	}
	t.Fatalf("nginx exited:\n%s\n%s", output, errorLog)
	return false
}

// stopNginx ends nginx (SIGTERM is its fast shutdown) and checks that its
// workers went with it.
func stopNginx(t testing.TB, cmd *exec.Cmd, exited <-chan struct{}) {
	workers := childrenOf(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(readTimeout):
		cmd.Process.Kill()
		<-exited
		t.Errorf("nginx did not exit within %v of SIGTERM", readTimeout)
	}
	waitFor(t, readTimeout, "nginx workers to exit", func() bool {
		for _, pid := range workers {
			if alive(pid) {
				return false
			}
		}
		return true
	})
}

// dialThrough opens a WebSocket through the proxy at addr, addressing
// host, and closes it when the test ends.
func dialThrough(t *testing.T, addr, host string, header http.Header, s *server) *websocket.Conn {
	t.Helper()
	header = header.Clone()
	header.Set("Host", host) // gorilla sends it as the request's Host
	c, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/chat", header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("WebSocket through nginx: %v (status %d)\n%s", err, status, s.out)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestBehindNginx(t *testing.T) {
	static := t.TempDir()
	if err := os.WriteFile(filepath.Join(static, "hello.txt"), []byte("hello from static\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	readme := readReadmeNginx(t)
	s := startServer(t, append(readme.flags, "--staticdir="+static,
		script(t, "proxied.sh", "echo \"$HTTP_X_FORWARDED_FOR|$REMOTE_ADDR|$HTTP_HOST\"\nexec cat\n"))...)
	proxy := startNginx(t, s.addr)

	// A client that is itself behind a proxy: nginx appends its peer.
	c := dialThrough(t, proxy, readme.serverName, http.Header{"X-Forwarded-For": {"203.0.113.9"}}, s)
	expectText(t, c, "203.0.113.9, 127.0.0.1|127.0.0.1|"+readme.serverName)
	echoOnce(t, c, "through nginx")

	req, err := http.NewRequest(http.MethodGet, "http://"+proxy+"/hello.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = readme.serverName
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello from static\n" {
		t.Fatalf("static file through nginx: %d %q", resp.StatusCode, body)
	}
}

// Without the README's --allowhost, websocketd alone on loopback refuses
// the public name nginx forwards, as the README says.
func TestBehindNginxNeedsAllowHost(t *testing.T) {
	readme := readReadmeNginx(t)
	s := startServer(t, "cat")
	proxy := startNginx(t, s.addr)
	header := http.Header{"Host": {readme.serverName}}
	if _, resp, err := websocket.DefaultDialer.Dial("ws://"+proxy+"/chat", header); err == nil ||
		resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("the public name without --allowhost: %v, want 403", err)
	}
}

// With --trustproxy naming nginx, the child and the access log see the
// client nginx served: the right-most X-Forwarded-For entry that is not
// nginx itself. A client's own claim further left is not believed, nor
// are a Forwarded or an X-Forwarded-Host header of its own, which nginx
// would pass on without the README's lines.
func TestBehindNginxTrusted(t *testing.T) {
	readme := readReadmeNginx(t)
	s := startServer(t, append(readme.flags, "--trustproxy=127.0.0.1/32",
		script(t, "proxied.sh", "echo \"$HTTP_X_FORWARDED_FOR|$REMOTE_ADDR|$HTTPS|$HTTP_X_FORWARDED_HOST\"\nexec cat\n"))...)
	proxy := startNginx(t, s.addr)
	header := http.Header{"X-Forwarded-For": {"198.51.100.1, 203.0.113.9"},
		"Forwarded": {"for=192.0.2.66;proto=https"}, "X-Forwarded-Host": {"evil.example"}}
	c := dialThrough(t, proxy, readme.serverName, header, s)
	expectText(t, c, "198.51.100.1, 203.0.113.9, 127.0.0.1|203.0.113.9||"+readme.serverName)
	echoOnce(t, c, "through nginx")
	if len(s.out.lines("remote:'203.0.113.9'")) == 0 {
		t.Errorf("the access log does not name the client:\n%s", s.out)
	}
}
