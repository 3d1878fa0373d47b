//go:build !windows

package test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
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

// testCert is a certificate made by a test, with its key.
type testCert struct {
	cert            *x509.Certificate
	key             *ecdsa.PrivateKey
	certPEM, keyPEM []byte
}

// newCert makes an ECDSA certificate for 127.0.0.1, signed by issuer or
// self-signed when issuer is nil. A CA may sign others; a leaf may serve
// as a server and as a client.
func newCert(t testing.TB, serial int64, issuer *testCert, isCA bool) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "websocketd test " + strconv.FormatInt(serial, 10)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	parent, signer := template, key
	if issuer != nil {
		parent, signer = issuer.cert, issuer.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{cert: cert, key: key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})}
}

// write stores the certificate and key as cert.pem and key.pem in dir,
// each replaced in one step (rename) so a reader never sees half a file.
func (c *testCert) write(t testing.TB, dir string) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeAtomically(t, keyFile, c.keyPEM)
	writeAtomically(t, certFile, c.certPEM)
	return certFile, keyFile
}

func writeAtomically(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".new", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// tlsClient trusts the given certificates and presents clientCert if any.
func tlsClient(clientCert *testCert, trusted ...*testCert) *tls.Config {
	roots := x509.NewCertPool()
	for _, c := range trusted {
		roots.AddCert(c.cert)
	}
	config := &tls.Config{RootCAs: roots}
	if clientCert != nil {
		config.Certificates = []tls.Certificate{{
			Certificate: [][]byte{clientCert.cert.Raw}, PrivateKey: clientCert.key, Leaf: clientCert.cert}}
	}
	return config
}

// dialTLS opens wss://ADDR/ and closes it when the test ends.
func dialTLS(t testing.TB, s *server, config *tls.Config) (*websocket.Conn, error) {
	t.Helper()
	dialer := websocket.Dialer{TLSClientConfig: config, HandshakeTimeout: readTimeout}
	conn, _, err := dialer.Dial("wss://"+s.addr+"/", nil)
	if err == nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, err
}

// peerSerial is the serial number of the certificate the server showed.
func peerSerial(c *websocket.Conn) int64 {
	return c.UnderlyingConn().(*tls.Conn).ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// startTLS runs websocketd with --ssl and the given key pair.
func startTLS(t testing.TB, cert *testCert, args ...string) *server {
	t.Helper()
	certFile, keyFile := cert.write(t, t.TempDir())
	return startServer(t, append([]string{"--ssl", "--sslcert=" + certFile, "--sslkey=" + keyFile}, args...)...)
}

// httpsScript echoes stdin after telling whether the CGI variable HTTPS is on.
const httpsScript = "echo \"HTTPS=$HTTPS\"\nwhile read line; do echo \"$line\"; done\n"

func TestWSSEchoWithSelfSignedCert(t *testing.T) {
	cert := newCert(t, 1, nil, false)
	s := startTLS(t, cert, script(t, "https.sh", httpsScript))
	if len(s.out.lines("on wss://"+s.addr+"/")) != 1 {
		t.Errorf("the serving line does not give the wss:// URL:\n%s", s.out)
	}
	c, err := dialTLS(t, s, tlsClient(nil, cert))
	if err != nil {
		t.Fatalf("wss dial: %v\n%s", err, s.out)
	}
	expectText(t, c, "HTTPS=on")
	send(t, c, websocket.TextMessage, "over TLS")
	expectText(t, c, "over TLS")
	if state := c.UnderlyingConn().(*tls.Conn).ConnectionState(); state.Version < tls.VersionTLS12 {
		t.Errorf("negotiated TLS version %x, want at least 1.2", state.Version)
	}

	// TLS 1.1 and older are refused.
	old := tlsClient(nil, cert)
	old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	if _, err := dialTLS(t, s, old); err == nil {
		t.Error("a TLS 1.1 client was accepted")
	}
}

func TestMutualTLS(t *testing.T) {
	ca := newCert(t, 100, nil, true)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	writeAtomically(t, caFile, ca.certPEM)
	serverCert := newCert(t, 1, nil, false)
	s := startTLS(t, serverCert, "--sslca="+caFile, "cat")

	if _, err := dialTLS(t, s, tlsClient(nil, serverCert)); err == nil {
		t.Fatal("a client without a certificate was accepted")
	}
	stranger := newCert(t, 2, newCert(t, 200, nil, true), false)
	if _, err := dialTLS(t, s, tlsClient(stranger, serverCert)); err == nil {
		t.Fatal("a client certificate from another CA was accepted")
	}
	if n := len(s.children()); n != 0 {
		t.Fatalf("refused clients started %d processes", n)
	}
	c, err := dialTLS(t, s, tlsClient(newCert(t, 3, ca, false), serverCert))
	if err != nil {
		t.Fatalf("a client with a certificate from the CA was refused: %v\n%s", err, s.out)
	}
	send(t, c, websocket.TextMessage, "mutual")
	expectText(t, c, "mutual")
}

func TestTLSConfigErrorsExit1(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := newCert(t, 1, nil, false).write(t, dir)
	missing := filepath.Join(dir, "missing.pem")
	cases := []struct {
		name string
		args []string
		says string
	}{
		{"sslca without ssl", []string{"--sslca=" + certFile}, "need --ssl"},
		{"redirport without ssl", []string{"--redirport=8081"}, "need --ssl"},
		{"ssl without key", []string{"--ssl", "--sslcert=" + certFile}, "needs both --sslcert and --sslkey"},
		{"missing cert file", []string{"--ssl", "--sslcert=" + missing, "--sslkey=" + keyFile}, missing},
		{"missing key file", []string{"--ssl", "--sslcert=" + certFile, "--sslkey=" + missing}, missing},
		{"key is not a key", []string{"--ssl", "--sslcert=" + certFile, "--sslkey=" + certFile}, "key"},
		{"missing CA file", []string{"--ssl", "--sslcert=" + certFile, "--sslkey=" + keyFile, "--sslca=" + missing}, missing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--address=127.0.0.1", "--port=0"}, tc.args...)
			out, err := exec.Command(binary, append(args, "cat")...).CombinedOutput()
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
				t.Fatalf("exit %v, want code 1; output:\n%s", err, out)
			}
			if !strings.Contains(string(out), tc.says) {
				t.Fatalf("output %q does not say %q", out, tc.says)
			}
		})
	}
}

func TestRedirPortSendsToHTTPS(t *testing.T) {
	certFile, keyFile := newCert(t, 1, nil, false).write(t, t.TempDir())
	var s *server
	var redirPort int
	startOnFreePort(t, func(port int) bool {
		s = startProcessOnly(t, "--address=127.0.0.1", "--port=0", "--ssl", "--sslcert="+certFile,
			"--sslkey="+keyFile, "--redirport="+strconv.Itoa(port), "cat")
		addr, collided := s.servingOrExit()
		s.addr, redirPort = addr, port
		return !collided
	})
	waitFor(t, readTimeout, "the redirect listener's log line", func() bool {
		return len(s.out.lines("redirecting http://127.0.0.1:"+strconv.Itoa(redirPort)+"/ to https")) == 1
	})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Get("http://127.0.0.1:" + strconv.Itoa(redirPort) + "/some/path?q=1&r=%20")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := "https://" + s.addr + "/some/path?q=1&r=%20"
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Fatalf("got %d Location %q, want 301 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

func TestSIGHUPReloadsCertificate(t *testing.T) {
	dir := t.TempDir()
	first, second := newCert(t, 1, nil, false), newCert(t, 2, nil, false)
	certFile, keyFile := first.write(t, dir)
	s := startServer(t, "--ssl", "--sslcert="+certFile, "--sslkey="+keyFile, "cat")
	trustBoth := tlsClient(nil, first, second)
	old, err := dialTLS(t, s, trustBoth)
	if err != nil {
		t.Fatal(err)
	}
	if serial := peerSerial(old); serial != 1 {
		t.Fatalf("first certificate has serial %d, want 1", serial)
	}

	second.write(t, dir)
	reloadAndWait(t, s, "certificates reloaded")
	fresh, err := dialTLS(t, s, trustBoth)
	if err != nil {
		t.Fatal(err)
	}
	if serial := peerSerial(fresh); serial != 2 {
		t.Fatalf("after SIGHUP a new client got serial %d, want 2", serial)
	}
	send(t, old, websocket.TextMessage, "still here")
	expectText(t, old, "still here")

	// A broken pair on disk is refused, and the loaded one kept.
	writeAtomically(t, certFile, []byte("not a certificate"))
	reloadAndWait(t, s, "keeping the old certificate")
	kept, err := dialTLS(t, s, trustBoth)
	if err != nil {
		t.Fatal(err)
	}
	if serial := peerSerial(kept); serial != 2 {
		t.Fatalf("after a failed reload a new client got serial %d, want 2", serial)
	}
}

// reloadAndWait sends SIGHUP and waits for the server to log one more line
// holding what.
func reloadAndWait(t testing.TB, s *server, what string) {
	t.Helper()
	before := len(s.out.lines(what))
	s.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, readTimeout, "the server to log "+what, func() bool {
		return len(s.out.lines(what)) > before
	})
}
