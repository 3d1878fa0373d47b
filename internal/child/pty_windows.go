package child

import (
	"errors"
	"os"
)

// errNoTTY is why --pty and --terminal are refused on Windows: the
// pseudo-terminal library has no ConPTY support that could be tested here.
var errNoTTY = errors.New("--pty and --terminal are not supported on Windows")

func openTTY(TTY) (childStreams, error) { return childStreams{}, errNoTTY }

// ResizeTerminal: there is no terminal on Windows.
func ResizeTerminal(*os.File, uint16, uint16) error { return errNoTTY }
