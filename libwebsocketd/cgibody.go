package libwebsocketd

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// A CGI request's body goes to the script's stdin as the client sends it.
// A client that announces a body and then sends nothing would hold the
// script, and its --maxforks slot, for as long as it kept the connection:
// so each read of the body has --cgibodyms to bring something. One that
// does not ends the body there: the script's stdin ends (as when a client
// leaves), and the client gets 408 unless the script has answered.

// stallGuard is a CGI request's body with a deadline on each read.
type stallGuard struct {
	body    io.ReadCloser
	conn    *http.ResponseController // sets the connection's read deadline
	timeout time.Duration
	stalled func() // called when a read ran out of time
	ended   bool   // the body has ended; the server owns the deadline again
}

func (g *stallGuard) Read(p []byte) (int, error) {
	if !g.ended {
		// A connection that cannot take a deadline is read without one.
		g.conn.SetReadDeadline(time.Now().Add(g.timeout))
	}
	n, err := g.body.Read(p)
	var netErr net.Error
	switch {
	case err == nil:
	case errors.As(err, &netErr) && netErr.Timeout():
		g.ended = true
		g.stalled()
	default:
		g.ended = true // at its end the server clears the deadline itself
	}
	return n, err
}

func (g *stallGuard) Close() error { return g.body.Close() }

// errAnsweredAlready fails the CGI host's writes once the client has had
// its 408: the host then kills the script instead of copying its output.
var errAnsweredAlready = errors.New("the client had its answer (request body stalled)")

// cgiResponse is what the CGI host writes to, between it and the client.
// The goroutine that reads the body may answer 408 meanwhile, so the two
// agree under mu on who answers; the host's headers stay in a map of its
// own until it does, as the 408 writes the client's.
type cgiResponse struct {
	client   http.ResponseWriter
	header   http.Header
	mu       sync.Mutex
	answered bool // the CGI host has answered, or the 408 has gone out
	timedOut bool // the 408 has: whatever the host writes goes nowhere
}

func newCGIResponse(client http.ResponseWriter) *cgiResponse {
	return &cgiResponse{client: client, header: http.Header{}}
}

func (c *cgiResponse) Header() http.Header { return c.header }

func (c *cgiResponse) WriteHeader(status int) {
	if c.claim() {
		addHeaders(c.client.Header(), c.header)
		c.client.WriteHeader(status)
	}
}

func (c *cgiResponse) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK) // nothing once there is an answer
	c.mu.Lock()
	timedOut := c.timedOut
	c.mu.Unlock()
	if timedOut {
		return 0, errAnsweredAlready
	}
	return c.client.Write(p) // the host's own answer: no 408 can come now
}

// claim reports whether the CGI host may answer: only the first answer
// goes out, the host's or the 408.
func (c *cgiResponse) claim() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answered {
		return false
	}
	c.answered = true
	return true
}

// stallBody is the 408's body; its length is given so the client has the
// whole answer at once, while the CGI host is still waiting on the script.
const stallBody = "408 request timeout: the request body stalled\n"

// timeOut answers 408 for a stalled body, unless the host has answered.
// It reports whether it did.
func (c *cgiResponse) timeOut() bool {
	c.mu.Lock()
	if c.answered {
		c.mu.Unlock()
		return false
	}
	c.answered, c.timedOut = true, true
	c.mu.Unlock()
	h := c.client.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(stallBody)))
	h.Set("Connection", "close")
	c.client.WriteHeader(http.StatusRequestTimeout)
	io.WriteString(c.client, stallBody)
	http.NewResponseController(c.client).Flush()
	return true
}
