package libwebsocketd

import (
	"net"
	"net/http"
	"sort"
	"strings"
)

// requestEnv is what a child learns about its request, beyond the headers.
type requestEnv struct {
	ScriptName string
	PathInfo   string
	ID         string
	RemoteHost string // PTR name with --reverselookup, else the address
	Version    string
	Protocol   string // the subprotocol chosen, if any
}

// buildEnv returns the child's whole environment: the --passenv variables
// of the server and the CGI-style variables of the request. Nothing else
// of the server's environment leaks to the child.
func buildEnv(r *http.Request, info requestEnv, passEnv, environ []string) []string {
	vars := map[string]string{}
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		for _, wanted := range passEnv {
			if sameEnvName(name, wanted) {
				vars[name] = value
			}
		}
	}
	for name, value := range headerVars(r) {
		vars[name] = value
	}
	for name, value := range cgiVars(r, info) {
		vars[name] = value
	}
	env := make([]string, 0, len(vars))
	for name, value := range vars {
		env = append(env, name+"="+safeValue(value))
	}
	sort.Strings(env)
	return env
}

func cgiVars(r *http.Request, info requestEnv) map[string]string {
	remoteAddr, remotePort := splitHostPort(r.RemoteAddr)
	serverName, serverPort := splitHostPort(r.Host)
	if serverPort == "" {
		serverPort = localPort(r)
	}
	remoteHost := info.RemoteHost
	if remoteHost == "" {
		remoteHost = remoteAddr
	}
	vars := map[string]string{
		"SERVER_SOFTWARE":   "websocketd/" + info.Version,
		"GATEWAY_INTERFACE": "CGI/1.1",
		"SERVER_PROTOCOL":   r.Proto,
		"SERVER_NAME":       serverName,
		"SERVER_PORT":       serverPort,
		"REQUEST_METHOD":    r.Method,
		"REQUEST_URI":       r.RequestURI,
		"SCRIPT_NAME":       info.ScriptName,
		"PATH_INFO":         info.PathInfo,
		"QUERY_STRING":      r.URL.RawQuery,
		"REMOTE_ADDR":       remoteAddr,
		"REMOTE_HOST":       remoteHost,
		"REMOTE_PORT":       remotePort,
		"UNIQUE_ID":         info.ID,
	}
	if isHTTPS(r) {
		vars["HTTPS"] = "on"
	}
	if info.Protocol != "" {
		vars["WEBSOCKET_PROTOCOL"] = info.Protocol
	}
	if user := authUser(r); user != "" {
		vars["AUTH_TYPE"], vars["REMOTE_USER"] = "Basic", user
	}
	return vars
}

// headerVars maps each request header to HTTP_<NAME>, repeated values
// joined with ", ".
func headerVars(r *http.Request) map[string]string {
	vars := map[string]string{}
	add := func(name, value string) {
		if old, ok := vars[name]; ok {
			value = old + ", " + value
		}
		vars[name] = value
	}
	if r.Host != "" {
		add("HTTP_HOST", r.Host)
	}
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names) // a stable order for joined duplicates
	for _, name := range names {
		envName, ok := headerEnvName(name)
		// HTTP_PROXY from a client would steer the child's own outgoing
		// requests ("httpoxy"); net/http/cgi drops it for the same reason.
		if !ok || envName == "HTTP_PROXY" || envName == "HTTP_HOST" {
			continue
		}
		add(envName, strings.Join(r.Header[name], ", "))
	}
	return vars
}

// headerEnvName converts a header name to HTTP_<NAME>, refusing names that
// would not make a portable variable name, and names with an underscore:
// X_Forwarded_For would pose as X-Forwarded-For, which a proxy vouches
// for and a client does not (nginx and Apache drop them too).
func headerEnvName(header string) (string, bool) {
	if header == "" {
		return "", false
	}
	var b strings.Builder
	b.WriteString("HTTP_")
	for _, c := range header {
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteRune(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '-':
			b.WriteByte('_')
		default:
			return "", false
		}
	}
	return b.String(), true
}

// safeValue replaces each control character but TAB with a space: a NUL
// would break an environment entry, CR and LF would let a value pose as a
// line of its own (a header, when a CGI script echoes it into one), and
// ESC and the rest would reach a terminal that shows a log. It is the one
// treatment of every value a child gets, WebSocket and CGI alike.
func safeValue(v string) string {
	// Byte by byte: no control character is part of a longer UTF-8
	// sequence, and other bytes, valid UTF-8 or not, stay as they are.
	var b []byte
	for i := 0; i < len(v); i++ {
		if isUnsafeByte(v[i]) {
			if b == nil {
				b = []byte(v)
			}
			b[i] = ' '
		}
	}
	if b == nil {
		return v // the common case: nothing copied
	}
	return string(b)
}

// isUnsafeByte is an ASCII control character other than TAB, or DEL.
func isUnsafeByte(c byte) bool { return (c < ' ' && c != '\t') || c == 0x7f }

func splitHostPort(hostport string) (host, port string) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return strings.Trim(hostport, "[]"), ""
	}
	return host, port
}

func localPort(r *http.Request) string {
	_, port := splitHostPort(localAddr(r))
	return port
}
