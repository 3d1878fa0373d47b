//go:build !windows

package child

import (
	"fmt"
	"os"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// openTTY opens a pseudo-terminal for a child. With --pty only stdout is
// the terminal, in raw mode so that the child's bytes pass untouched, and
// stdin and stderr stay pipes; with --terminal the terminal is all three
// streams and the child's controlling terminal, in a new session.
func openTTY(tty TTY) (childStreams, error) {
	master, slave, err := openPTY()
	if err != nil {
		return childStreams{}, fmt.Errorf("opening a pseudo-terminal: %w", err)
	}
	// Set through the child's end: the library works on a file's
	// descriptor in blocking mode, which the child's end is anyway, while
	// the master must stay non-blocking for the watcher.
	err = pty.Setsize(slave, &pty.Winsize{Cols: tty.Cols, Rows: tty.Rows})
	if err == nil && tty.Mode == TerminalTTY {
		return childStreams{ours: [3]*os.File{master, master, nil},
			theirs:   [3]*os.File{slave, slave, slave},
			attr:     &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
			terminal: master}, nil
	}
	if err == nil {
		_, err = term.MakeRaw(int(slave.Fd()))
	}
	var pipes childStreams
	if err == nil {
		pipes, err = openPipes()
	}
	if err != nil {
		master.Close()
		slave.Close()
		return childStreams{}, fmt.Errorf("setting up the pseudo-terminal: %w", err)
	}
	pipes.ours[1].Close()
	pipes.theirs[1].Close()
	pipes.ours[1], pipes.theirs[1] = master, slave
	return pipes, nil
}

// openPTY opens a pseudo-terminal pair whose master is non-blocking. The
// library hands the master back in blocking mode (its ioctls go through
// File.Fd), and a blocking read would neither let the watcher and the
// drain's linger work nor end when the stop sequence closes the master.
// So the master is taken over as a new, non-blocking File.
func openPTY() (master, slave *os.File, err error) {
	blocking, slave, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	defer blocking.Close()
	fd, err := unix.FcntlInt(blocking.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		err = unix.SetNonblock(fd, true)
		if err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		slave.Close()
		return nil, nil, err
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), slave, nil
}

// ResizeTerminal sets a terminal's window size; the kernel sends SIGWINCH
// to its foreground job. Done through the master's RawConn so that the
// master stays non-blocking.
func ResizeTerminal(master *os.File, cols, rows uint16) error {
	raw, err := master.SyscallConn()
	if err != nil {
		return err
	}
	size := &unix.Winsize{Col: cols, Row: rows}
	controlErr := raw.Control(func(fd uintptr) {
		err = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, size)
	})
	if controlErr != nil {
		return controlErr
	}
	return err
}
