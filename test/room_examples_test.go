//go:build !windows

package test

import (
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// The room examples of examples/rooms, as examples/site.toml serves them
// (make run's server): under /rooms/plain/ and /rooms/json/.

// siteFile is the file `make run` serves.
const siteFile = examplesDir + "/site.toml"

func TestRoomExamplePlainChat(t *testing.T) {
	s := startServer(t, "--config="+siteFile)
	a, b := s.dial("/rooms/plain/chat.sh"), s.dial("/rooms/plain/chat.sh")
	send(t, b, websocket.TextMessage, "hello, room")
	expectText(t, a, "hello, room")
	expectText(t, b, "hello, room")
}

func TestRoomExampleNamedChat(t *testing.T) {
	requireTool(t, "python3")
	s := startServer(t, "--config="+siteFile)
	alice := s.dial("/rooms/json/chat.py?name=alice")
	expectText(t, alice, "alice joined (1 here)")
	bob := s.dial("/rooms/json/chat.py?name=bob")
	expectText(t, alice, "bob joined (2 here)")
	expectText(t, bob, "bob joined (2 here)")
	send(t, alice, websocket.TextMessage, "hi bob")
	expectText(t, alice, "alice: hi bob")
	expectText(t, bob, "alice: hi bob")

	impostor := s.dial("/rooms/json/chat.py?name=alice")
	if code, reason := expectClose(t, impostor); code != 4000 || reason != "pick a name nobody here has" {
		t.Fatalf("a second alice got %d %q, want 4000", code, reason)
	}
	bob.Close()
	expectText(t, alice, "bob left")
}

func TestRoomExamplePresence(t *testing.T) {
	requireTool(t, "node")
	s := startServer(t, "--config="+siteFile)
	a := s.dial("/rooms/json/presence.js")
	if _, text := receive(t, a); !strings.HasPrefix(text, "you are ") {
		t.Fatalf("got %q, want the client's own id first", text)
	}
	expectText(t, a, "1 person here")
	b := s.dial("/rooms/json/presence.js")
	expectText(t, a, "2 people here")
	receive(t, b)
	expectText(t, b, "2 people here")
	b.Close()
	expectText(t, a, "1 person here")
}

// Through `make run`, the rooms on its one port: a plain chat message
// reaches both clients of the room, the JSON rooms greet; Ctrl-C then
// stops the room programs with the server.
func TestMakeRunServesTheRooms(t *testing.T) {
	needTool(t, "make")
	needTool(t, "python3")
	needTool(t, "node")
	run := startMakeRun(t, "")
	a := dialExample(t, run.addr, "/rooms/plain/chat.sh", nil)
	b := dialExample(t, run.addr, "/rooms/plain/chat.sh", nil)
	send(t, a, websocket.TextMessage, "hello, both")
	expectText(t, a, "hello, both")
	expectText(t, b, "hello, both")

	alice := dialExample(t, run.addr, "/rooms/json/chat.py?name=alice", nil)
	expectText(t, alice, "alice joined (1 here)")
	presence := dialExample(t, run.addr, "/rooms/json/presence.js", nil)
	if _, text := receive(t, presence); !strings.HasPrefix(text, "you are ") {
		t.Fatalf("presence.js said %q first, want the client's id", text)
	}
	expectText(t, presence, "1 person here")

	run.expectPrograms(t, "cat", "chat.py", "presence.js")
	run.stop(t, ctrlC)
}
