package child

import (
	"fmt"
	"strings"
)

// How Windows runs a program, in plain Go without build tags so that it is
// tested on every platform (winbatch_test.go): Start runs a batch file
// through cmd.exe on Windows (process_windows.go), with a command line
// quoted for cmd.exe.

// WindowsKind is how Windows runs a file (found in --dir or --cgidir), by
// its extension (case-insensitive): an .exe directly, a .bat or .cmd
// through cmd.exe (CommandInterpreter); anything else not at all.
type WindowsKind int

const (
	NotRunnableOnWindows WindowsKind = iota // any other extension
	WindowsExecutable                       // .exe: run directly
	WindowsBatch                            // .bat, .cmd: run through cmd.exe
)

// WindowsKindOf is how Windows runs the file at path.
func WindowsKindOf(path string) WindowsKind {
	dot := strings.LastIndexByte(path, '.')
	if dot < 0 || strings.ContainsAny(path[dot:], `\/`) {
		return NotRunnableOnWindows
	}
	switch strings.ToLower(path[dot:]) {
	case ".exe":
		return WindowsExecutable
	case ".bat", ".cmd":
		return WindowsBatch
	}
	return NotRunnableOnWindows
}

// batchSpecial are the characters cmd.exe acts on even inside double
// quotes (% expands variables, ! with delayed expansion) or that end a
// quoted string ("), so no quoting makes them safe in a command line.
const batchSpecial = `%!"`

// batchCommandLine is the command line that runs a .bat or .cmd file with
// its arguments through cmd.exe. /d skips AutoRun commands from the
// registry, /v:off keeps ! literal, /s makes cmd strip exactly the outer
// quotes, so the rest is seen as written: each word in double quotes,
// where & | < > ^ ( ) and spaces are literal.
func batchCommandLine(comspec string, argv []string) (string, error) {
	words := make([]string, len(argv))
	for i, arg := range argv {
		if strings.ContainsAny(arg, batchSpecial) || strings.ContainsAny(arg, "\r\n\x00") {
			return "", fmt.Errorf("cannot pass %q to a batch file: cmd.exe would act on %%, ! or \" in it", arg)
		}
		words[i] = `"` + arg + `"`
	}
	return `"` + comspec + `" /d /v:off /s /c "` + strings.Join(words, " ") + `"`, nil
}
