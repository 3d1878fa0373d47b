package libwebsocketd

import (
	"os/exec"
	"testing"
)

// exitDetail is how a real process running shell ended, as a backend
// reports it.
func exitDetail(t *testing.T, shell string) string {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", shell)
	cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("%s did not run", shell)
	}
	return cmd.ProcessState.String()
}

func TestProcessFate(t *testing.T) {
	failed, killed, clean := exitDetail(t, "exit 3"), exitDetail(t, "kill -9 $$"), exitDetail(t, "exit 0")
	cases := []struct {
		ended                    string
		leftWhileRunning, server bool
		want                     string
	}{
		{failed, false, false, "exit status 3"},
		{killed, false, false, "signal: killed"},
		{clean, false, true, "exit status 0"},
		{clean, true, false, "still running when the client left, then exit status 0"},
		{killed, true, true, "still running at server shutdown, then signal: killed"},
		{"", false, false, "unknown"},
	}
	for _, tc := range cases {
		if got := processFate(tc.ended, tc.leftWhileRunning, tc.server); got != tc.want {
			t.Errorf("processFate(%q, %v, %v) = %q, want %q", tc.ended, tc.leftWhileRunning, tc.server, got, tc.want)
		}
	}
}
