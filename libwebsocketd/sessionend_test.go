package libwebsocketd

import (
	"os"
	"os/exec"
	"testing"
)

func exitState(t *testing.T, shell string) *os.ProcessState {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", shell)
	cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("%s did not run", shell)
	}
	return cmd.ProcessState
}

func TestProcessFate(t *testing.T) {
	failed, killed, clean := exitState(t, "exit 3"), exitState(t, "kill -9 $$"), exitState(t, "exit 0")
	cases := []struct {
		state                    *os.ProcessState
		leftWhileRunning, server bool
		want                     string
	}{
		{failed, false, false, "exit status 3"},
		{killed, false, false, "signal: killed"},
		{clean, false, true, "exit status 0"},
		{clean, true, false, "still running when the client left, then exit status 0"},
		{killed, true, true, "still running at server shutdown, then signal: killed"},
		{nil, false, false, "status unknown"},
	}
	for _, tc := range cases {
		if got := processFate(tc.state, tc.leftWhileRunning, tc.server); got != tc.want {
			t.Errorf("processFate(%v, %v, %v) = %q, want %q", tc.state, tc.leftWhileRunning, tc.server, got, tc.want)
		}
	}
}
