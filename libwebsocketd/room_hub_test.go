package libwebsocketd

import (
	"errors"
	"testing"

	"github.com/websocketd/websocketd/internal/child"
)

// A path that cannot be a room is refused before any process or slot is
// taken for it.
func TestRoomPathWithControlCharacterIsRefused(t *testing.T) {
	forks := &slotLimit{max: 1}
	hub := newRoomHub(roomDeps{forks: forks})
	started := 0
	for _, key := range []string{"/a\nb", "/a\x00b", "/a\x1bb"} {
		_, err := hub.enter(key, func(string) (*child.Process, error) {
			started++
			return nil, errors.New("not to be started")
		})
		if !errors.Is(err, errBadRoomPath) {
			t.Errorf("%q: %v, want %v", key, err, errBadRoomPath)
		}
	}
	if live := forks.live.Load(); live != 0 || started != 0 || len(hub.rooms) != 0 {
		t.Errorf("%d slots, %d starts and rooms %v taken", live, started, hub.rooms)
	}
}
