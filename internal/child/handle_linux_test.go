package child

import (
	"io"
	"slices"
	"testing"
)

// On Linux a running child keeps nothing of its exec.Cmd (with its
// SysProcAttr, ~0.5 KB for each session's whole life): reaping needs only
// the pid, and its command line is kept on its own.
func TestRunningChildKeepsNoCommand(t *testing.T) {
	argv := []string{"sh", "-c", "exit 0"}
	p, err := Start(Command{Argv: argv, Grace: BaseStopGrace, TTY: DefaultTTY})
	if err != nil {
		t.Fatal(err)
	}
	if p.cmd != nil {
		t.Error("the process keeps its exec.Cmd")
	}
	if !slices.Equal(p.Args(), argv) {
		t.Errorf("Args() = %q, want %q", p.Args(), argv)
	}
	io.Copy(io.Discard, p.Stdout())
	p.Stderr().Close()
	if state := p.Wait(); state == nil || !state.Success() {
		t.Errorf("Wait returned %v, want success", state)
	}
}
