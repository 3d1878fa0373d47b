package child

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// killSession kills every process left in the session that sid leads.
// With --terminal the child leads a session of its own, and a shell's job
// control moves its jobs into process groups other than the child's, out
// of reach of the group signals; the session still holds them all. The
// leader is reaped by now, but its pid stays reserved while the session
// has members, so sid names no one else.
func killSession(sid int) {
	entries, _ := os.ReadDir("/proc")
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err == nil && sessionOf(pid) == sid {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// sessionOf reads a process's session id from /proc/PID/stat, or -1.
func sessionOf(pid int) int {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name, in parentheses, may hold anything; the fields
	// after it are: state, ppid, pgrp, session.
	end := bytes.LastIndexByte(stat, ')')
	fields := bytes.Fields(stat[end+1:])
	if end < 0 || len(fields) < 4 {
		return -1
	}
	sid, err := strconv.Atoi(string(fields[3]))
	if err != nil {
		return -1
	}
	return sid
}
