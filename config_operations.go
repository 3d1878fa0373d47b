package main

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/websocketd/websocketd/libwebsocketd"
)

// The Operations flags (a group in --help, opsFlags in config.go): how
// they reach the Config, and what is checked of them.

// apply puts the Operations flags into cfg. The htpasswd file is not read
// here (parseConfig reads no files): main reads it before serving.
func (o opsFlags) apply(cfg *Config) error {
	proxies, err := libwebsocketd.ParseTrustedProxies(o.trustProxy)
	if err != nil {
		return err
	}
	proxyHeader, err := libwebsocketd.ParseProxyHeader(o.trustProxyHeader)
	if err != nil {
		return err
	}
	cfg.BasicAuthFile, cfg.MetricsAddr = o.basicAuth, o.metrics
	h := &cfg.Handler
	if o.allowHosts != nil {
		if h.AllowHosts, err = libwebsocketd.ParseAllowedHosts(o.allowHosts); err != nil {
			return err
		}
	}
	h.TrustProxies, h.TrustProxyHeader, h.Once = proxies, proxyHeader, o.once
	h.IdleTimeout = time.Duration(o.idleMS) * time.Millisecond
	h.MaxSession = time.Duration(o.maxSession) * time.Millisecond
	return nil
}

// checkOperations lists what is wrong with the Operations flags.
func (c Config) checkOperations() []string {
	var problems []string
	h := c.Handler
	if h.IdleTimeout < 0 || h.MaxSession < 0 {
		problems = append(problems, "--idlems and --maxsessionms cannot be negative")
	}
	if h.TrustProxyHeader != libwebsocketd.XForwardedFor && len(h.TrustProxies) == 0 {
		problems = append(problems, "--trustproxyheader needs --trustproxy: it says which headers those peers send")
	}
	if h.Once && len(h.Command) == 0 && h.ScriptDir == "" {
		problems = append(problems, "--once needs a COMMAND or --dir: it serves one WebSocket session")
	}
	if c.MetricsAddr != "" {
		if err := checkListenAddr(c.MetricsAddr); err != nil {
			problems = append(problems, "--metrics: "+err.Error())
		}
	}
	return problems
}

// checkListenAddr accepts host:port (host may be empty, IPv6 in brackets)
// with a port from 0 (the kernel picks one; it is logged) to 65535.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want ADDR:PORT, like 127.0.0.1:9100, not %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q must be a number from 0 to 65535", port)
	}
	return nil
}
