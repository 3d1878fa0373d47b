package libwebsocketd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// shebangLimit is how much of a script's first line the kernel reads for
// its #! line (BINPRM_BUF_SIZE since Linux 5.1).
const shebangLimit = 256

// explainStartError makes "no such file or directory" about a script that
// does exist say what is really missing: the interpreter its #! line names.
// The kernel reports both the same way, and the script's name in the
// message sends people looking in the wrong place. Any other error is
// returned as it is.
func explainStartError(argv0, dir string, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	path, lookErr := exec.LookPath(argv0)
	if lookErr != nil {
		return err // the script itself is missing: the error says so
	}
	if missing := missingInterpreter(path, dir); missing != nil {
		return missing
	}
	return err
}

// missingInterpreter returns an error naming the interpreter on the #!
// line of the script at path when that interpreter does not exist, else
// nil. A relative interpreter is looked for in dir, the child's working
// directory, as the kernel does.
func missingInterpreter(path, dir string) error {
	interpreter, ok := shebangInterpreter(path)
	if !ok {
		return nil
	}
	where := interpreter
	if !filepath.IsAbs(where) && dir != "" {
		where = filepath.Join(dir, where)
	}
	if _, err := os.Stat(where); err == nil {
		return nil // it exists; something else is missing (its own loader, say)
	}
	hint := ""
	if strings.HasSuffix(interpreter, "\r") {
		hint = " (the script has Windows line endings: the CR is part of the name)"
	}
	return fmt.Errorf("interpreter %q, named on the #! line of %s, does not exist%s",
		interpreter, path, hint)
}

// shebangInterpreter returns the interpreter a script's #! line names, as
// the kernel reads it: after "#!" and blanks, up to a blank or the end of
// the line.
func shebangInterpreter(path string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	head := make([]byte, shebangLimit)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", false
	}
	line, ok := bytes.CutPrefix(head[:n], []byte("#!"))
	if !ok {
		return "", false
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	fields := strings.FieldsFunc(string(line), func(r rune) bool { return r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return "", false
	}
	return fields[0], true
}
