//go:build !windows

package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// docTimeout bounds one block: a script, a client, a server's start.
const docTimeout = 60 * time.Second

// The port the docs print, replaced by a free one when a block runs.
var (
	docPortFlag = regexp.MustCompile(`(--port=|port = )8080\b`)
	docPortURL  = regexp.MustCompile(`:8080\b`)
)

// Every runnable block of the README and of docs/ runs as printed: the
// pages in parallel, each page's blocks in order in a directory of its own.
func TestDocBlocksRun(t *testing.T) {
	for _, page := range docPages(t) {
		t.Run(filepath.Base(page), func(t *testing.T) {
			t.Parallel()
			run := &docRun{t: t, dir: t.TempDir()}
			defer run.stopServer()
			for _, block := range readDocBlocks(t, page) {
				run.block(block)
			}
		})
	}
}

// docRun is one page's blocks being run.
type docRun struct {
	t      *testing.T
	dir    string
	server *exec.Cmd   // the last server block's shell, while it runs
	out    *syncBuffer // its output
	done   chan struct{}
	port   string // the port it serves on
}

func (r *docRun) block(b docBlock) {
	r.t.Helper()
	where := b.page + ":" + strconv.Itoa(b.line)
	if strings.HasPrefix(b.mark.how, "client") && r.server == nil {
		r.t.Fatalf("%s: a client block with no server running", where)
	}
	r.makeGiven(b.mark.given)
	code := r.placeGiven(b.code, b.mark.given)
	switch b.mark.how {
	case "sh":
		r.runToEnd(where, "sh", "-e", "-c", code)
	case "check":
		r.runToEnd(where, "sh", "-e", "-c", withCheck(code))
	case "toml":
		r.write(b.mark.arg, docPortFlag.ReplaceAllString(code, "${1}0"), 0o644)
		r.runToEnd(where, binary, "--config="+b.mark.arg, "--check")
	case "server":
		r.stopServer()
		r.startServer(where, docPortFlag.ReplaceAllString(code, "${1}0"))
	case "client node":
		needTool(r.t, "node")
		ws, err := filepath.Abs("node_modules/ws")
		if err != nil {
			r.t.Fatal(err)
		}
		prelude := "globalThis.WebSocket ??= require(" + strconv.Quote(ws) + ");\n"
		r.write("client.js", prelude+docPortURL.ReplaceAllString(code, ":"+r.port), 0o644)
		r.runClient(where, b.mark.prints, "node", "client.js")
	case "client sh":
		r.runClient(where, b.mark.prints, "sh", "-e", "-c", docPortURL.ReplaceAllString(code, ":"+r.port))
	}
}

// withCheck adds --check to each websocketd command of a script, so that
// a command line meant to serve is only loaded and checked.
func withCheck(code string) string {
	code = strings.ReplaceAll(code, "\\\n", " ")
	lines := strings.Split(code, "\n")
	for i, line := range lines {
		if rest, ok := strings.CutPrefix(line, "websocketd "); ok {
			lines[i] = "websocketd --check " + rest
		}
	}
	return strings.Join(lines, "\n")
}

// makeGiven creates the files a block takes as given: empty and
// executable, or directories for names ending in /; an absolute name
// below the page's directory.
func (r *docRun) makeGiven(given []string) {
	for _, name := range given {
		path := filepath.Join(r.dir, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			r.t.Fatal(err)
		}
		r.write(strings.TrimPrefix(name, "/"), "", 0o755)
	}
}

// placeGiven points a block's absolute given paths into the page's directory.
func (r *docRun) placeGiven(code string, given []string) string {
	for _, name := range given {
		if name = strings.TrimSuffix(name, "/"); filepath.IsAbs(name) {
			code = strings.ReplaceAll(code, name, filepath.Join(r.dir, name))
		}
	}
	return code
}

func (r *docRun) write(name, content string, mode os.FileMode) {
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), mode); err != nil {
		r.t.Fatal(err)
	}
}

// command is name with args in the page's directory, the websocketd under
// test first on PATH, in a process group of its own.
func (r *docRun) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// runToEnd runs a block that must end by itself with status 0.
func (r *docRun) runToEnd(where, name string, args ...string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), docTimeout)
	defer cancel()
	if out, err := r.command(ctx, name, args...).CombinedOutput(); err != nil {
		r.t.Errorf("%s: %v\n%s", where, err, out)
	}
}
