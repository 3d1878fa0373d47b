//go:build !windows

package test

import (
	"strconv"
	"testing"

	"github.com/gorilla/websocket"
)

// --roomreplay in a cluster: a joiner on a node that had no client of the
// room gets the owner's replay, then the live lines, with no gap and no
// duplicate, whether the room is paused or busy.
func TestClusterRoomReplayOnAnyNode(t *testing.T) {
	nodes := startNodes(t, startNATS(t), 3, "--room", "--roomreplay="+strconv.Itoa(replayLines),
		pythonScript(t, "numbers.py", numberedLines), strconv.Itoa(replayPause))
	on := func(i int) func() *websocket.Conn {
		return func() *websocket.Conn { return nodes[i].dial("/numbers") }
	}
	first := on(0)() // its node runs the room's process
	joiner := joinWhilePaused(t, first, on(1))
	defer joiner.Close()
	joinWhileBusy(t, joiner, on(2))
}
