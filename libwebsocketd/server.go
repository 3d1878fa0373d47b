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

	TLS                             bool
	CertFile, KeyFile, ClientCAFile string
	// RedirPort serves a redirect to https on this plain-HTTP port.
	RedirPort int
}

// ListenError is a failure to bind; websocketd exits with 3 on it.
type ListenError struct{ Err error }

func (e *ListenError) Error() string { return e.Err.Error() }
func (e *ListenError) Unwrap() error { return e.Err }

// Server is the listeners and the HTTP server in front of a Handler.
type Server struct {
	cfg       ServerConfig
	handler   *Handler
	log       *slog.Logger
	http      *http.Server
	redirect  *http.Server
	listeners []net.Listener
	redirects []net.Listener
	certs     *certificates
}

// NewServer prepares a server; certificates are read here, so a bad one is
// reported at start and not at the first connection.
func NewServer(cfg ServerConfig, h *Handler, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, handler: h, log: log}
	s.http = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), LevelDebug),
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
	return nil
}

func (s *Server) listen() error {
	if s.cfg.ListenTCP {
		for _, addr := range s.tcpAddresses(s.cfg.Port) {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			s.listeners = append(s.listeners, l)
		}
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

// URLs are the addresses clients can use, one per listener.
func (s *Server) URLs() []string {
	scheme := "ws"
	if s.cfg.TLS {
		scheme = "wss"
	}
	var urls []string
	for _, l := range s.listeners {
		if l.Addr().Network() == "unix" {
			urls = append(urls, "unix:"+l.Addr().String())
			continue
		}
		urls = append(urls, scheme+"://"+l.Addr().String()+"/")
	}
	return urls
}

// Serve serves every listener until Shutdown. It returns the first error
// that is not the server closing.
func (s *Server) Serve() error {
	var wg sync.WaitGroup
	errs := make(chan error, len(s.listeners)+len(s.redirects))
	serve := func(l net.Listener, srv *http.Server, tls bool) {
		defer wg.Done()
		var err error
		if tls {
			err = srv.ServeTLS(l, "", "")
		} else {
			err = srv.Serve(l)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("serving %s: %w", l.Addr(), err)
		}
	}
	for _, l := range s.listeners {
		wg.Add(1)
		go serve(l, s.http, s.cfg.TLS && l.Addr().Network() != "unix")
	}
	if len(s.redirects) > 0 {
		s.redirect = newRedirectServer(s.cfg.Port, s.log)
		for _, l := range s.redirects {
			wg.Add(1)
			go serve(l, s.redirect, false)
		}
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Shutdown stops accepting, closes every session with 1001 and waits for
// their processes until ctx ends; then it kills what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	// The HTTP server forgets hijacked connections, so it only stops the
	// listeners and plain requests; the Handler ends the sessions.
	stopped := make(chan error, 1)
	go func() { stopped <- s.http.Shutdown(ctx) }()
	if s.redirect != nil {
		go s.redirect.Shutdown(ctx)
	}
	err := s.handler.Shutdown(ctx)
	return errors.Join(err, <-stopped)
}

func (s *Server) closeListeners() {
	for _, l := range append(s.listeners, s.redirects...) {
		l.Close()
	}
	s.listeners, s.redirects = nil, nil
}
