//go:build unix

// Shell scripts, shebangs, signals and terminals: Unix only (Windows has its
// own tests under Wine, test/wine).

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
		ended, stoppedAt, want string
	}{
		{failed, "", "exit status 3"},
		{killed, "", "signal: killed"},
		{clean, "when the client left", "still running when the client left, then exit status 0"},
		{killed, "at server shutdown", "still running at server shutdown, then signal: killed"},
		{"", "", "unknown"},
	}
	for _, tc := range cases {
		if got := processFate(tc.ended, tc.stoppedAt); got != tc.want {
			t.Errorf("processFate(%q, %q) = %q, want %q", tc.ended, tc.stoppedAt, got, tc.want)
		}
	}
}

// What stopped a child that was still running: the server's own reasons
// come before the client's leaving, which every such session ends with.
func TestWhyStopped(t *testing.T) {
	withOutcome := func(outcome int32) *accounting {
		o := &accounting{}
		o.ended(outcome)
		return o
	}
	cases := []struct {
		goingAway bool
		acct      *accounting
		want      string
	}{
		{false, nil, "when the client left"},
		{true, nil, "at server shutdown"},
		{true, withOutcome(outcomeIdle), "at server shutdown"},
		{false, withOutcome(outcomeIdle), "at the idle timeout"},
		{false, withOutcome(outcomeTimeLimit), "at the session time limit"},
		{false, withOutcome(outcomeClientClosed), "when the client left"},
	}
	for _, tc := range cases {
		if got := whyStopped(tc.goingAway, tc.acct); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
