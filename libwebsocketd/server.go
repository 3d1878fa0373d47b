package libwebsocketd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/websocketd/websocketd/internal/child"
)

// The HTTP server's own limits: a client that trickles its headers
// (slowloris) is dropped, and no request header may be huge.
const (
	readHeaderTimeout = 5 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
)

// ServerConfig says where and how to listen.
type ServerConfig struct {
	// Addresses are interface addresses (IPv6 in brackets); empty means
	// all interfaces. Each gets its own listener on Port.
	Addresses []string
	Port      int
	// ListenTCP is false when only UnixSocket is to be served.
	ListenTCP  bool
	UnixSocket string

	// SystemdSockets takes the listening sockets systemd hands over
	// (LISTEN_FDS), when there are any, instead of binding Addresses and
	// Port.
	SystemdSockets bool

	TLS                             bool
	CertFile, KeyFile, ClientCAFile string
	// RedirPort serves a redirect to https on this plain-HTTP port.
	RedirPort int
}

// ListenError is a failure to bind; websocketd exits with 3 on it.
type ListenError struct{ Err error }

func (e *ListenError) Error() string { return e.Err.Error() }
func (e *ListenError) Unwrap() error { return e.Err }

// Site is what a Server serves: one Handler, or a Router of routes.
type Site interface {
	http.Handler
	// Shutdown ends every session and waits for them until ctx ends.
	Shutdown(ctx context.Context) error
	setLoopbackOnly(bool)
	runsPrograms() bool
}

// Server is the listeners and the HTTP server in front of a Site.
type Server struct {
	cfg       ServerConfig
	site      Site
	log       *slog.Logger
	http      *http.Server
	redirect  *http.Server
	listeners []net.Listener
	redirects []net.Listener
	certs     *certificates
	ready     chan struct{} // closed once every listener is accepting
}

// NewServer prepares a server; certificates are read here, so a bad one is
// reported at start and not at the first connection.
func NewServer(cfg ServerConfig, site Site, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, site: site, log: log, ready: make(chan struct{})}
	s.http = &http.Server{
		Handler:           site,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          httpErrorLog(log),
	}
	if cfg.TLS {
		certs, err := loadCertificates(cfg.CertFile, cfg.KeyFile, cfg.ClientCAFile)
		if err != nil {
			return nil, err
		}
		s.certs = certs
		s.http.TLSConfig = certs.tlsConfig()
	}
	return s, nil
}

// Listen binds every listener, or none: on error those already bound are
// closed again.
func (s *Server) Listen() error {
	err := s.listen()
	if err != nil {
		s.closeListeners()
		return &ListenError{err}
	}
	if len(s.redirects) > 0 {
		s.redirect = newRedirectServer(s.tlsPort(), s.log)
	}
	s.site.setLoopbackOnly(onlyLoopback(s.listeners))
	return nil
}

func (s *Server) listen() error {
	if err := s.listenTCP(); err != nil {
		return err
	}
	if s.cfg.UnixSocket != "" {
		l, err := listenUnix(s.cfg.UnixSocket)
		if err != nil {
			return err
		}
		s.listeners = append(s.listeners, l)
	}
	if s.cfg.TLS && s.cfg.RedirPort != 0 {
		for _, addr := range s.tcpAddresses(s.cfg.RedirPort) {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			s.redirects = append(s.redirects, l)
		}
	}
	return nil
}

// listenTCP binds Addresses and Port, unless systemd handed over the
// listeners already.
func (s *Server) listenTCP() error {
	if s.cfg.SystemdSockets {
		activated, err := systemdListeners()
		if err != nil {
			return err
		}
		if len(activated) > 0 {
			s.listeners = append(s.listeners, activated...)
			return nil
		}
	}
	if !s.cfg.ListenTCP {
		return nil
	}
	for _, addr := range s.tcpAddresses(s.cfg.Port) {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		s.listeners = append(s.listeners, l)
	}
	return nil
}

func (s *Server) tcpAddresses(port int) []string {
	p := strconv.Itoa(port)
	if len(s.cfg.Addresses) == 0 {
		return []string{":" + p}
	}
	addrs := make([]string, len(s.cfg.Addresses))
	for i, a := range s.cfg.Addresses {
		addrs[i] = net.JoinHostPort(trimBrackets(a), p)
	}
	return addrs
}

func trimBrackets(a string) string {
	if len(a) > 1 && a[0] == '[' && a[len(a)-1] == ']' {
		return a[1 : len(a)-1]
	}
	return a
}

// URLs are the addresses clients can use, one per listener. A Unix socket
// is "unix socket at PATH", the classic websocketd's wording, which
// people's tooling greps the log for.
func (s *Server) URLs() []string {
	scheme := "ws"
	if s.cfg.TLS {
		scheme = "wss"
	}
	var urls []string
	for _, l := range s.listeners {
		if l.Addr().Network() == "unix" {
			urls = append(urls, "unix socket at "+l.Addr().String())
			continue
		}
		urls = append(urls, scheme+"://"+l.Addr().String()+"/")
	}
	return urls
}

// RedirectURLs are the plain-HTTP addresses (--redirport) that send
// clients to https.
func (s *Server) RedirectURLs() []string {
	urls := make([]string, len(s.redirects))
	for i, l := range s.redirects {
		urls[i] = "http://" + l.Addr().String() + "/"
	}
	return urls
}

// Serve serves every listener until Shutdown. It returns the first error
// that is not the server closing.
func (s *Server) Serve() error {
	if s.site.runsPrograms() {
		child.InitContainment(s.log) // before the first process; ended by Shutdown
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(s.listeners)+len(s.redirects))
	var accepting []<-chan struct{}
	serve := func(l net.Listener, srv *http.Server, tls bool) {
		a := newAcceptingListener(l)
		accepting = append(accepting, a.accepting)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if tls {
				err = srv.ServeTLS(a, "", "")
			} else {
				err = srv.Serve(a)
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("serving %s: %w", l.Addr(), err)
			}
		}()
	}
	for _, l := range s.listeners {
		// A Unix socket is local: TLS there would only cost.
		serve(l, s.http, s.cfg.TLS && l.Addr().Network() != "unix")
	}
	for _, l := range s.redirects {
		serve(l, s.redirect, false)
	}
	go func() {
		for _, a := range accepting {
			<-a
		}
		close(s.ready)
	}()
	wg.Wait()
	close(errs)
	return <-errs
}

// Ready is closed once every listener accepts connections.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// tlsPort is the port the redirect points to: that of the first TCP
// listener, which is the real one when Port is 0 or systemd chose it.
func (s *Server) tlsPort() int {
	for _, l := range s.listeners {
		if addr, ok := l.Addr().(*net.TCPAddr); ok {
			return addr.Port
		}
	}
	return s.cfg.Port
}

// Shutdown stops accepting, closes every session with 1001 and waits for
// their processes until ctx ends; then it kills what is left. Closing the
// listeners removes the Unix socket file.
func (s *Server) Shutdown(ctx context.Context) error {
	// The HTTP server forgets hijacked connections, so it only stops the
	// listeners and plain requests; the Site ends the sessions.
	stopped := make(chan error, 2)
	servers := []*http.Server{s.http}
	if s.redirect != nil {
		servers = append(servers, s.redirect)
	}
	for _, srv := range servers {
		go func() {
			err := srv.Shutdown(ctx)
			if err != nil {
				srv.Close() // the grace is over: drop plain requests still running
			}
			stopped <- err
		}()
	}
	err := s.site.Shutdown(ctx)
	for range servers {
		err = errors.Join(err, <-stopped)
	}
	child.EndContainment() // every session is over: what is left is an orphan
	return err
}

func (s *Server) closeListeners() {
	for _, l := range append(s.listeners, s.redirects...) {
		l.Close()
	}
	s.listeners, s.redirects = nil, nil
}
