// Command child is the Windows program the Wine smoke test serves
// (test/wine). What it does comes from its first argument, or else from
// its own name, so that copies named echo.exe and so on work in --dir:
//
//	echo          writes back every line it reads, until stdin ends
//	exit3         says bye and exits with status 3
//	spawn MARKER  starts itself as "hang MARKER", says "spawned", hangs
//	hang MARKER   sleeps for good (MARKER lets the test find it)
//	probebreak    says "ok" if CTRL_BREAK_EVENT can be sent from here, or why not
//	trapbreak F   says "trapping", and on Ctrl-Break (os.Interrupt) writes
//	              "break" to the file F and exits 0
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	args := os.Args[1:]
	mode := strings.TrimSuffix(strings.ToLower(filepath.Base(os.Args[0])), ".exe")
	if len(args) > 0 {
		mode, args = args[0], args[1:]
	}
	switch mode {
	case "echo":
		lines := bufio.NewScanner(os.Stdin)
		for lines.Scan() {
			fmt.Println(lines.Text())
		}
	case "exit3":
		fmt.Println("bye")
		os.Exit(3)
	case "spawn":
		grandchild := exec.Command(os.Args[0], append([]string{"hang"}, args...)...)
		if err := grandchild.Start(); err != nil {
			fmt.Println("cannot spawn:", err)
			os.Exit(1)
		}
		fmt.Println("spawned")
		hang()
	case "hang":
		hang()
	case "probebreak":
		probeBreak()
	case "trapbreak":
		interrupts := make(chan os.Signal, 1)
		signal.Notify(interrupts, os.Interrupt)
		fmt.Println("trapping")
		<-interrupts
		os.WriteFile(args[0], []byte("break"), 0o644)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
}

func hang() {
	for {
		time.Sleep(time.Hour)
	}
}
