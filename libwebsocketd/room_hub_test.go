package libwebsocketd

import (
	"errors"
	"net/http/httptest"
	"testing"
)

// A path that cannot be a room is refused before any process or slot is
// taken for it.
func TestRoomPathWithControlCharacterIsRefused(t *testing.T) {
	h := &Handler{cfg: Config{Room: "plain", MaxForks: 1}}
	h.rooms = roomHub{h: h, rooms: map[string]*room{}}
	for _, path := range []string{"/a%0ab", "/a%00b", "/a%1bb"} {
		r := httptest.NewRequest("GET", path, nil)
		if _, err := h.rooms.enter(r, commandTarget{argv: []string{"/nonexistent"}}, ""); !errors.Is(err, errBadRoomPath) {
			t.Errorf("%s: %v, want %v", path, err, errBadRoomPath)
		}
	}
	if live := h.forks.live.Load(); live != 0 || len(h.rooms.rooms) != 0 {
		t.Errorf("%d slots and rooms %v taken", live, h.rooms.rooms)
	}
}
