//go:build !windows

package test

import (
	"os"
	"strings"
	"testing"
)

// --reverselookup: REMOTE_HOST is the client's name, looked up, rather
// than its address again.

// localhostFirst reports whether /etc/hosts names 127.0.0.1 "localhost"
// first, which is what a PTR lookup of it then returns.
func localhostFirst() bool {
	data, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "127.0.0.1" {
			return fields[1] == "localhost"
		}
	}
	return false
}

func TestReverseLookupSetsRemoteHost(t *testing.T) {
	if !localhostFirst() {
		t.Skip("/etc/hosts does not name 127.0.0.1 localhost first")
	}
	report := []string{"sh", "-c", `echo "$REMOTE_HOST $REMOTE_ADDR"`}
	looked := startServer(t, append([]string{"--reverselookup"}, report...)...)
	expectText(t, looked.dial("/"), "localhost 127.0.0.1")
	plain := startServer(t, report...)
	expectText(t, plain.dial("/"), "127.0.0.1 127.0.0.1")
}
