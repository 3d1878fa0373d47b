//go:build !windows

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100
// on every Linux the Go toolchain supports).
const clockTick = 10 * time.Millisecond

// cpuTimes are a process's CPU times from /proc/PID/stat: its own, and
// those of the children it has reaped.
type cpuTimes struct {
	self, children time.Duration
}

func (c cpuTimes) total() time.Duration { return c.self + c.children }

func (c cpuTimes) sub(earlier cpuTimes) cpuTimes {
	return cpuTimes{c.self - earlier.self, c.children - earlier.children}
}

// statFields returns the fields of /proc/PID/stat after the command name
// (which is in parentheses and may hold spaces): field 3 of proc(5) is
// element 0.
func statFields(pid int) ([]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	end := bytes.LastIndexByte(data, ')')
	if end < 0 || end+2 > len(data) {
		return nil, fmt.Errorf("/proc/%d/stat: unexpected layout", pid)
	}
	return strings.Fields(string(data[end+2:])), nil
}

// readCPU returns utime+stime and cutime+cstime of pid.
func readCPU(pid int) (cpuTimes, error) {
	f, err := statFields(pid)
	if err != nil {
		return cpuTimes{}, err
	}
	// proc(5): utime, stime, cutime, cstime are fields 14 to 17.
	ticks := make([]int64, 4)
	for i := range ticks {
		if ticks[i], err = strconv.ParseInt(f[11+i], 10, 64); err != nil {
			return cpuTimes{}, err
		}
	}
	return cpuTimes{self: time.Duration(ticks[0]+ticks[1]) * clockTick,
		children: time.Duration(ticks[2]+ticks[3]) * clockTick}, nil
}

// readRSS returns the resident set of pid in bytes (VmRSS).
func readRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		value, ok := strings.CutPrefix(scanner.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		return kb << 10, err
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmRSS", pid)
}

// childCount returns how many processes (zombies included: they are not
// reaped yet) have parent as their parent.
func childCount(parent int) int {
	entries, _ := os.ReadDir("/proc")
	count := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f, err := statFields(pid); err == nil && f[1] == strconv.Itoa(parent) {
			count++
		}
	}
	return count
}

// waitNoChildren polls until parent has reaped every child: polling is how
// one observes another process's state.
func waitNoChildren(parent int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for childCount(parent) > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d still has children after %v", parent, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// machine describes where the figures were measured.
type machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
	Kernel    string `json:"kernel"`
	Pinned    string `json:"pinned"`
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), CPUModel: "unknown", GoVersion: runtime.Version()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPUModel = strings.TrimSpace(value)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	return m
}
