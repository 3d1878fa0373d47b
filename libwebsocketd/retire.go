package libwebsocketd

// Retiring the Handler of a route that a reload (SIGHUP) took away or
// changed: its sessions and rooms go on to their end, and then it lets go
// of what it holds for the rest of the server's life otherwise (its NATS
// connection, its place in the Router).

// retire has h take no new upgrade (one that reached it just as the table
// changed is refused with 503, as in a shutdown, and its client may try
// again). What it serves goes on as before: a room lingers, and a
// cluster room's process stays where it runs, so that nobody's room
// restarts because a reload changed a route. Once its last session and
// room have ended it leaves NATS, then calls released, then closes
// h.retired.
func (h *Handler) retire(released func()) {
	h.mu.Lock()
	h.retiring = true
	h.mu.Unlock()
	go func() {
		h.live.Wait()
		h.rooms.cluster.close()
		h.log.Info("a route's old configuration is gone: its last session ended", "category", "server")
		released()
		close(h.retired)
	}()
}

func (h *Handler) isRetiring() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.retiring
}

// retireDroppedLocked retires the Handlers served until now that routes no
// longer have: each leaves the Router once released. rt.mu is held.
func (rt *Router) retireDroppedLocked(routes []Route) {
	kept := map[*Handler]bool{rt.fallback: true}
	for _, route := range routes {
		kept[route.Handler] = true
	}
	for h := range rt.handlers {
		if kept[h] || h.isRetiring() {
			continue // served on, or retiring already
		}
		h.retire(func() {
			rt.mu.Lock()
			defer rt.mu.Unlock()
			delete(rt.handlers, h)
		})
	}
}
