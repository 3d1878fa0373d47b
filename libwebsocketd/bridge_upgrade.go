package libwebsocketd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/child"
)

// connectTimeout bounds dialling the --connect service for one request.
const connectTimeout = 10 * time.Second

// bridgeSubprotocol is what noVNC and other byte-stream clients offer: with
// --connect and binary messages it is accepted when no --subprotocol is set.
const bridgeSubprotocol = "binary"

// serveBridgeUpgrade serves an upgrade with --connect, once every other
// check has passed and the request holds its --maxclients and --maxforks
// slots and --once: the service is dialled first, and only once it has
// answered is the client upgraded, so that a service that is down gets a
// plain 502 and never a WebSocket that closes at once. It releases what
// the request holds on every path that ends without a session.
func (h *Handler) serveBridgeUpgrade(w http.ResponseWriter, r *http.Request, protocol string) {
	giveBack := func() {
		h.forks.release()
		h.clients.release()
		h.unclaimOnce()
	}
	service, err := h.dialService(r.Context())
	if err != nil {
		giveBack()
		h.refuse(w, r, http.StatusBadGateway, "cannot connect to the service: "+err.Error())
		return
	}
	up := &upgradeWriter{ResponseWriter: w}
	conn, err := h.upgrader.Upgrade(up, r, h.upgradeHeaders(protocol))
	if err != nil {
		service.Close()
		h.forks.release()
		h.unclaimOnce()
		h.upgradeFailed(r, err) // gives back the client's slot
		return
	}
	answeredUpgrade(w)
	label := h.newSessionLabel(r, rand.Text(), nil)
	label.connect = h.cfg.Connect
	log := label.logger()
	c := chooseCodec(codecOptions{binary: h.cfg.Binary, framed: h.cfg.Framed,
		maxLine: h.cfg.MaxLineSize, log: log})
	serve := newBridgeBackend(service, child.BaseStopGrace+h.cfg.CloseGrace)
	h.openSession(conn, up.hijacked, log, serve, c, h.processEnded)
}

// dialService opens a connection to the --connect service, giving up
// after connectTimeout or when the client leaves first.
func (h *Handler) dialService(ctx context.Context) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	network, address, err := ParseConnectAddress(h.cfg.Connect) // checked by NewHandler
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

// checkConnect refuses a Config that --connect cannot serve: a bad
// address, or settings that need a process.
func checkConnect(cfg Config) error {
	if cfg.Connect == "" {
		return nil
	}
	if _, _, err := ParseConnectAddress(cfg.Connect); err != nil {
		return fmt.Errorf("the Connect address %w", err)
	}
	if len(cfg.Command) > 0 || cfg.ScriptDir != "" || cfg.Room != "" ||
		cfg.PTY || cfg.Terminal || cfg.PassStderr || cfg.Once {
		return errors.New("the Connect address cannot be combined with Command, ScriptDir, Room, PTY, Terminal, PassStderr or Once: they need a process")
	}
	return nil
}

// bridgeProtocol is the subprotocol a --connect server without
// --subprotocol answers: "binary" when the client offers it and the
// messages are binary, else none (any offer is accepted, as without
// --connect).
func (h *Handler) bridgeProtocol(r *http.Request) string {
	if h.cfg.Connect != "" && h.cfg.Binary && !h.cfg.Framed && slices.Contains(websocket.Subprotocols(r), bridgeSubprotocol) {
		return bridgeSubprotocol
	}
	return ""
}
