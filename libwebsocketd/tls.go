package libwebsocketd

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sync/atomic"
)

// certificates holds the server's key pair and client CAs, re-readable on
// SIGHUP: a new handshake takes the current pair, open connections keep
// the one they were made with.
type certificates struct {
	certFile, keyFile, caFile string
	current                   atomic.Pointer[tls.Certificate]
	clientCAs                 *x509.CertPool
}

func loadCertificates(certFile, keyFile, caFile string) (*certificates, error) {
	c := &certificates{certFile: certFile, keyFile: keyFile, caFile: caFile}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--sslca: %w", err)
		}
		c.clientCAs = x509.NewCertPool()
		if !c.clientCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--sslca %s: no PEM certificate found", caFile)
		}
	}
	return c, nil
}

// Reload reads the key pair again; on error the old one stays in use.
func (c *certificates) Reload() error {
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("loading TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	c.current.Store(&pair)
	return nil
}

func (c *certificates) tlsConfig() *tls.Config {
	config := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return c.current.Load(), nil
		},
	}
	if c.clientCAs != nil {
		config.ClientCAs = c.clientCAs
		config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return config
}

// ReloadCertificates re-reads the TLS key pair (on SIGHUP).
func (s *Server) ReloadCertificates() error {
	if s.certs == nil {
		return nil
	}
	return s.certs.Reload()
}
