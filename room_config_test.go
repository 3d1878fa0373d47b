package main

import (
	"strings"
	"testing"
	"time"
)

func TestRoomFlags(t *testing.T) {
	h := mustParse(t, "cat").Handler
	if h.Room != "" || h.RoomQueue != 1<<20 || h.RoomSlow != 3*time.Second || h.RoomLinger != 0 || h.MaxClients != 0 {
		t.Fatalf("room defaults: %+v", h)
	}
	if h := mustParse(t, "--room", "cat").Handler; h.Room != "plain" {
		t.Fatalf("--room alone gave %q, want plain", h.Room)
	}
	h = mustParse(t, "--room=json", "--roomlinger=500", "--roomqueue=4096", "--roomslowms=250",
		"--maxclients=7", "./room.py").Handler
	if h.Room != "json" || h.RoomLinger != 500*time.Millisecond || h.RoomQueue != 4096 ||
		h.RoomSlow != 250*time.Millisecond || h.MaxClients != 7 {
		t.Fatalf("room flags: %+v", h)
	}
}

func TestBadRoomFlagsAreConfigErrors(t *testing.T) {
	for args, want := range map[string]string{
		"--room=chat cat":                 "--room must be plain or json",
		"--room --roomqueue=0 cat":        "--roomqueue must be at least 1",
		"--room --roomslowms=-1 cat":      "cannot be negative",
		"--maxclients=-1 cat":             "cannot be negative",
		"--room --passstderr cat":         "--passstderr cannot be combined with --room",
		"--room=json --binary cat":        "--room=json cannot be combined with --binary",
		"--room --pty cat":                "cannot be combined with --room",
		"--room --once cat":               "--once cannot be combined with --room",
		"--room --framed cat":             "--framed cannot be combined with --room",
		"--room=plain --roomlinger=-5 ls": "cannot be negative",
	} {
		_, err := parseConfig(strings.Fields(args), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", args, err, want)
		}
	}
}

func TestRoomReplayFlags(t *testing.T) {
	if h := mustParse(t, "--room", "cat").Handler; h.RoomReplay != 0 || h.RoomReplayBytes != 1<<20 {
		t.Fatalf("replay defaults: %d messages, %d bytes", h.RoomReplay, h.RoomReplayBytes)
	}
	h := mustParse(t, "--room", "--roomreplay=50", "--roomreplaybytes=4096", "cat").Handler
	if h.RoomReplay != 50 || h.RoomReplayBytes != 4096 {
		t.Fatalf("replay flags: %d messages, %d bytes", h.RoomReplay, h.RoomReplayBytes)
	}
	for args, want := range map[string]string{
		"--roomreplay=5 cat":             "--roomreplay needs --room",
		"--room --roomreplay=-1 cat":     "cannot be negative",
		"--room --roomreplaybytes=0 cat": "at least 1 byte",
		"--room --roomreplay=abc cat":    "invalid argument",
	} {
		_, err := parseConfig(strings.Fields(args), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", args, err, want)
		}
	}
}
