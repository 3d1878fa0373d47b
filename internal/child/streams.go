package child

import (
	"fmt"
	"os"
	"syscall"
)

// TTYMode says what a child's standard streams are.
type TTYMode int

const (
	NoTTY       TTYMode = iota // three pipes
	OutputTTY                  // --pty: stdout is a pseudo-terminal, stdin and stderr pipes
	TerminalTTY                // --terminal: a pseudo-terminal for all three, controlling the child
)

// TTY is the mode and, with a terminal, its first window size.
type TTY struct {
	Mode       TTYMode
	Cols, Rows uint16
}

// DefaultTTY is three pipes, and the window size a terminal starts with
// unless the client asks for another: what programs expect of a terminal
// they know nothing about.
var DefaultTTY = TTY{Cols: 80, Rows: 24}

// childStreams are a child's three standard streams: theirs are handed to
// the child, ours stay with the server (stdin, stdout, stderr; a nil
// stderr when the child has none of its own).
type childStreams struct {
	ours, theirs [3]*os.File
	attr         *syscall.SysProcAttr
	terminal     *os.File // with --terminal, the master side (also ours[0] and ours[1])
}

func openStreams(tty TTY) (childStreams, error) {
	if tty.Mode == NoTTY {
		return openPipes()
	}
	return openTTY(tty)
}

// openPipes makes one pipe per stream, and starts the child in a process
// group of its own, so that the whole group can be signalled.
func openPipes() (childStreams, error) {
	s := childStreams{attr: groupProcAttr()}
	for i := range 3 {
		r, w, err := os.Pipe()
		if err != nil {
			closeFiles(s.ours[:])
			closeFiles(s.theirs[:])
			return childStreams{}, fmt.Errorf("creating pipes: %w", err)
		}
		if i == 0 { // stdin: the child reads, we write
			s.ours[i], s.theirs[i] = w, r
		} else {
			s.ours[i], s.theirs[i] = r, w
		}
	}
	return s, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}
