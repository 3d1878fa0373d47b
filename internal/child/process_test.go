//go:build unix

package child

import (
	"io"
	"strconv"
	"testing"
)

// A child's pid and exit status survive the release of its handle (see
// handle_linux.go): the stop sequence, the logs and the close frame that
// reports the exit need them.
func TestWaitReportsThePidAndTheExitStatus(t *testing.T) {
	p, err := Start(Command{Argv: []string{"sh", "-c", "echo $$; exit 3"}, Grace: BaseStopGrace, TTY: DefaultTTY})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(p.Stdout())
	p.Stderr().Close()
	state := p.Wait()
	if state == nil || state.ExitCode() != 3 {
		t.Fatalf("Wait returned %v, want exit status 3", state)
	}
	if p.Pid() <= 0 || string(out) != strconv.Itoa(p.Pid())+"\n" || state.Pid() != p.Pid() {
		t.Fatalf("Pid() = %d, the child said %q, Wait's state names %d", p.Pid(), out, state.Pid())
	}
}
