//go:build !windows

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// The ceilings run as separate processes (this program re-executed with
// one of these as its first argument), so that they are pinned to the same
// CPU as websocketd and their CPU time is read from /proc the same way.
const (
	ceilingBatchingArg = "-ceiling-batching"
	ceilingNaiveArg    = "-ceiling-naive"
	ceilingSpawnArg    = "-ceiling-spawn"
)

// helperMain runs a ceiling when args ask for one, and reports whether
// they did.
func helperMain(args []string) (exitCode int, handled bool) {
	if len(args) == 0 {
		return 0, false
	}
	var err error
	switch args[0] {
	case ceilingBatchingArg:
		err = serveCeiling("batching", batchingMux())
	case ceilingNaiveArg:
		err = serveCeiling("naive", naiveMux())
	case ceilingSpawnArg:
		err = spawnCeiling(args[1:])
	default:
		return 0, false
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1, true
	}
	return 0, true
}

// serveCeiling serves mux on a loopback port until SIGTERM. It logs its
// address the way websocketd does, so that servingLine finds it in both.
func serveCeiling(name string, mux http.Handler) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("serving %s ceiling on ws://%s/\n", name, l.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-stop; os.Exit(0) }()
	return http.Serve(l, mux)
}

// naiveMux is the naive ceiling: the plainest gorilla/websocket server
// there is, with no process behind it, one write system call per message.
// It echoes every message back, and on /seq?n=N sends the lines 1 to N the
// way `seq N` behind websocketd would; /fanout is its broadcaster
// (fanout.go).
func naiveMux() http.Handler {
	upgrader := websocket.Upgrader{}
	mux := http.NewServeMux()
	mux.HandleFunc("/seq", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if conn, err := upgrader.Upgrade(w, r, nil); err == nil {
			ceilingSeq(conn, n)
		}
	})
	var fanout ceilingFanout
	mux.HandleFunc("/fanout", func(w http.ResponseWriter, r *http.Request) {
		fanout.serve(&upgrader, w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if conn, err := upgrader.Upgrade(w, r, nil); err == nil {
			ceilingEcho(conn)
		}
	})
	return mux
}

func ceilingEcho(conn *websocket.Conn) {
	defer conn.Close()
	for {
		messageType, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if err := conn.WriteMessage(messageType, data); err != nil {
			return
		}
	}
}

func ceilingSeq(conn *websocket.Conn, n int) {
	defer conn.Close()
	var line []byte
	for i := 1; i <= n; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		if err := conn.WriteMessage(websocket.TextMessage, line); err != nil {
			return
		}
	}
	conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""))
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := conn.NextReader(); err != nil {
			return
		}
	}
}

// spawnResult is what the spawn ceiling reports on its stdout.
type spawnResult struct {
	Count   int           `json:"count"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// spawnCeiling starts and reaps `cat` with three pipes, as websocketd does
// for each connection (own process group included), count times over
// `parallel` goroutines: the most connections per second any server that
// forks a process per connection could reach here.
func spawnCeiling(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: -ceiling-spawn COUNT PARALLEL")
	}
	count, err1 := strconv.Atoi(args[0])
	parallel, err2 := strconv.Atoi(args[1])
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	var next sync.Mutex
	left := count
	errs := make(chan error, parallel)
	start := time.Now()
	for range parallel {
		go func() {
			for {
				next.Lock()
				if left == 0 {
					next.Unlock()
					errs <- nil
					return
				}
				left--
				next.Unlock()
				if err := spawnCat(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range parallel {
		if err := <-errs; err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(spawnResult{count, time.Since(start)})
}

// spawnCat starts cat on three fresh pipes, ends its input and reaps it.
func spawnCat() error {
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return err
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		return err
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command("cat")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, stdoutW, stderrW
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	stdinR.Close()
	stdoutW.Close()
	stderrW.Close()
	stdinW.Close()
	if err == nil {
		io.Copy(io.Discard, stdoutR)
		err = cmd.Wait()
	}
	stdoutR.Close()
	stderrR.Close()
	return err
}
