package libwebsocketd

import "net/http"

// The standard library's CGI host makes a script's variables from the
// request itself: PATH_INFO from the decoded URL path, HTTP_<NAME> from
// every header, and so on. So the host is handed a copy of the request in
// which each of those has had the treatment a WebSocket child's variables
// get: values through safeValue, header names through headerEnvName.

// cgiRequest is r as the CGI host is to see it. Only what becomes a
// variable differs; the body is r's own, read by the script.
func cgiRequest(r *http.Request) *http.Request {
	c := r.WithContext(r.Context()) // a shallow copy
	u := *r.URL
	u.Path, u.RawPath = safeValue(u.Path), ""
	u.RawQuery = safeValue(u.RawQuery)
	c.URL = &u
	c.Host = safeValue(r.Host)
	c.RemoteAddr = safeValue(r.RemoteAddr)
	c.Header = cgiHeaders(r.Header)
	return c
}

// cgiHeaders are the headers that may become HTTP_<NAME> variables, with
// their values made safe. A name headerEnvName refuses is left out, as it
// is for a WebSocket child.
func cgiHeaders(headers http.Header) http.Header {
	kept := make(http.Header, len(headers))
	for name, values := range headers {
		if _, ok := headerEnvName(name); !ok {
			continue
		}
		safe := make([]string, len(values))
		for i, v := range values {
			safe[i] = safeValue(v)
		}
		kept[name] = safe
	}
	return kept
}

// cgiRequestURI is REQUEST_URI as the CGI host would set it from r
// itself: the copy's path is the sanitised one, which it would escape anew.
func cgiRequestURI(r *http.Request) string {
	return "REQUEST_URI=" + safeValue(r.URL.RequestURI())
}
