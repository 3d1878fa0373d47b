package libwebsocketd

import (
	"crypto/tls"
	"net/http/httptest"
	"strings"
	"testing"
)

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		m[name] = value
	}
	return m
}

func TestBuildEnvCGIVariables(t *testing.T) {
	r := httptest.NewRequest("GET", "http://example.com:8080/chat?room=a%20b", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Add("X-Tag", "one")
	r.Header.Add("X-Tag", "two")
	info := requestEnv{ScriptName: "/chat", PathInfo: "/x", ID: "abc", Version: "9.9"}
	env := envMap(buildEnv(r, info, []string{"PATH"}, []string{"PATH=/bin", "HOME=/root", "SECRET=1"}))
	want := map[string]string{
		"SERVER_SOFTWARE": "websocketd/9.9", "GATEWAY_INTERFACE": "CGI/1.1",
		"SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "example.com", "SERVER_PORT": "8080",
		"REQUEST_METHOD": "GET", "REQUEST_URI": "http://example.com:8080/chat?room=a%20b",
		"SCRIPT_NAME": "/chat", "PATH_INFO": "/x", "QUERY_STRING": "room=a%20b",
		"REMOTE_ADDR": "192.0.2.7", "REMOTE_PORT": "5555", "REMOTE_HOST": "192.0.2.7",
		"UNIQUE_ID": "abc", "HTTP_X_TAG": "one, two", "HTTP_HOST": "example.com:8080",
		"PATH": "/bin",
	}
	for name, value := range want {
		if env[name] != value {
			t.Errorf("%s=%q, want %q", name, env[name], value)
		}
	}
	if len(env) != len(want) {
		t.Errorf("env has %d variables, want %d: %v", len(env), len(want), env)
	}
}

func TestBuildEnvHTTPSOnlyOverTLS(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if _, ok := envMap(buildEnv(r, requestEnv{}, nil, nil))["HTTPS"]; ok {
		t.Error("HTTPS set without TLS")
	}
	r.TLS = &tls.ConnectionState{}
	if envMap(buildEnv(r, requestEnv{}, nil, nil))["HTTPS"] != "on" {
		t.Error("HTTPS not on over TLS")
	}
}

func TestBuildEnvNeverBreaksLines(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["X-Evil"] = []string{"a\r\nINJECTED=1\x00b"}
	r.Header["Proxy"] = []string{"http://attacker"}
	r.Header["Bad Name!"] = []string{"x"}
	env := buildEnv(r, requestEnv{}, nil, nil)
	for _, kv := range env {
		if strings.ContainsAny(kv, "\r\n\x00") {
			t.Errorf("entry %q holds a line break or NUL", kv)
		}
	}
	m := envMap(env)
	if _, ok := m["INJECTED"]; ok {
		t.Error("a header value injected a variable")
	}
	if _, ok := m["HTTP_PROXY"]; ok {
		t.Error("HTTP_PROXY set from a Proxy header")
	}
	if m["HTTP_X_EVIL"] != "a  INJECTED=1 b" {
		t.Errorf("HTTP_X_EVIL=%q", m["HTTP_X_EVIL"])
	}
	for name := range m {
		if strings.Contains(name, " ") || strings.Contains(name, "!") {
			t.Errorf("invalid variable name %q", name)
		}
	}
}

func TestHeaderEnvName(t *testing.T) {
	cases := map[string]string{
		"Content-Type": "HTTP_CONTENT_TYPE", "x-lower": "HTTP_X_LOWER",
		"X_Under": "", "A1": "HTTP_A1", "": "", "Bad.Dot": "", "Ünï": "",
	}
	for header, want := range cases {
		got, ok := headerEnvName(header)
		if got != want || ok != (want != "") {
			t.Errorf("headerEnvName(%q) = %q, %v; want %q", header, got, ok, want)
		}
	}
}

func TestCGIVariablesWinOverPassEnv(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	env := envMap(buildEnv(r, requestEnv{Version: "1"}, []string{"SERVER_SOFTWARE"},
		[]string{"SERVER_SOFTWARE=spoofed"}))
	if env["SERVER_SOFTWARE"] != "websocketd/1" {
		t.Errorf("SERVER_SOFTWARE=%q", env["SERVER_SOFTWARE"])
	}
}

// The client's X_Forwarded_For must not join the proxy's X-Forwarded-For,
// for a WebSocket child or a CGI script.
func TestUnderscoreHeaderIsDropped(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["X-Forwarded-For"] = []string{"192.0.2.1"}
	r.Header["X_Forwarded_For"] = []string{"203.0.113.66"}
	r.Header["X_Only"] = []string{"spoofed"}
	env := envMap(buildEnv(r, requestEnv{}, nil, nil))
	if env["HTTP_X_FORWARDED_FOR"] != "192.0.2.1" {
		t.Errorf("HTTP_X_FORWARDED_FOR=%q", env["HTTP_X_FORWARDED_FOR"])
	}
	if v, ok := env["HTTP_X_ONLY"]; ok {
		t.Errorf("HTTP_X_ONLY=%q set from X_Only", v)
	}
	c := cgiRequest(r)
	if len(c.Header) != 1 || c.Header.Get("X-Forwarded-For") != "192.0.2.1" {
		t.Errorf("the CGI host sees %v", c.Header)
	}
}
