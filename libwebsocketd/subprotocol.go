package libwebsocketd

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/websocket"
)

// chooseSubprotocol picks the first of --subprotocol's list that the
// client offers in Sec-WebSocket-Protocol. Without the flag no protocol
// is chosen and any offer is accepted, as before (with --connect, "binary"
// is chosen when offered: see bridgeProtocol). A client that offers
// only protocols we do not speak (or none, with --subprotocolrequired)
// gets an error, for a 400 before any process starts: it would close the
// connection anyway on seeing no protocol it asked for (RFC 6455 4.1).
func (h *Handler) chooseSubprotocol(r *http.Request) (string, error) {
	if len(h.cfg.Subprotocols) == 0 {
		return h.bridgeProtocol(r), nil // none, unless --connect takes "binary"
	}
	offered := websocket.Subprotocols(r)
	for _, served := range h.cfg.Subprotocols {
		if slices.Contains(offered, served) {
			return served, nil
		}
	}
	if len(offered) > 0 {
		return "", fmt.Errorf("no subprotocol in common: client offers %q, --subprotocol is %q",
			strings.Join(offered, ", "), strings.Join(h.cfg.Subprotocols, ","))
	}
	if h.cfg.SubprotocolRequired {
		return "", fmt.Errorf("client offers no subprotocol and --subprotocolrequired is set")
	}
	return "", nil
}
