package libwebsocketd

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRouteTableChoosesTheMostSpecificRoute(t *testing.T) {
	root, chat, term, termAdmin := &Handler{}, &Handler{}, &Handler{}, &Handler{}
	table, err := newRouteTable([]Route{
		{"/", root}, {"/chat", chat}, {"/term/", term}, {"/term/admin/", termAdmin},
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]*Handler{
		"/":               root,
		"/chat":           chat,
		"/chat/":          root, // "/chat" is exact: it does not cover what is under it
		"/chatter":        root,
		"/term":           root, // nor does "/term/" cover "/term"
		"/term/":          term,
		"/term/x":         term,
		"/term/admin/":    termAdmin,
		"/term/admin/x":   termAdmin,
		"/term/../chat":   term, // chosen by the literal path, never cleaned
		"/term/admin/../": termAdmin,
	} {
		if got := table.match(path); got != want {
			t.Errorf("match(%q) chose the wrong route", path)
		}
	}
	noRoot, _ := newRouteTable([]Route{{"/chat", chat}})
	if noRoot.match("/other") != nil {
		t.Error("a path no route matches found a Handler")
	}
}

func TestRouteTableRefusesTwoRoutesOnOnePathAndBadPaths(t *testing.T) {
	if _, err := newRouteTable([]Route{{"/a", &Handler{}}, {"/a", &Handler{}}}); err == nil {
		t.Error("two routes for /a were accepted")
	}
	for _, bad := range []string{"", "chat", "/a//b", "/a/./b", "/a/../b", "/..", "/a?b", "/a#b", "/a\nb", "/a\x00", "//"} {
		if err := CheckRoutePath(bad); err == nil {
			t.Errorf("CheckRoutePath(%q) accepted it", bad)
		}
	}
	for _, good := range []string{"/", "/chat", "/term/", "/a/b/c", "/a.b/", "/ü"} {
		if err := CheckRoutePath(good); err != nil {
			t.Errorf("CheckRoutePath(%q): %v", good, err)
		}
	}
}

func TestRouterServesEachPathFromItsRouteAndReplacesTheTable(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	newStatic := func(t *testing.T, body string) *Handler {
		dir := t.TempDir()
		if err := os.WriteFile(dir+"/index.txt", []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := NewHandler(Config{StaticDir: dir, Mount: "/files"}, log)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	fallback, _ := NewHandler(Config{}, log)
	first, second := newStatic(t, "first"), newStatic(t, "second")
	rt, err := NewRouter([]Route{{"/files/", first}}, fallback, 0)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/files/index.txt"); code != 200 || body != "first" {
		t.Fatalf("GET /files/index.txt: %d %q, want 200 from the mounted directory", code, body)
	}
	if code, _ := get("/index.txt"); code != http.StatusNotFound {
		t.Errorf("GET /index.txt outside every route: %d, want 404", code)
	}
	if err := rt.Replace([]Route{{"/files/", second}}); err != nil {
		t.Fatal(err)
	}
	if _, body := get("/files/index.txt"); body != "second" {
		t.Errorf("after Replace: %q, want the new route's file", body)
	}
	awaitRetired(t, first)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if _, known := rt.handlers[first]; known || len(rt.handlers) != 2 {
		t.Errorf("the router still knows the retired Handler (%d known), want only the fallback and the new one", len(rt.handlers))
	}
}

// A Handler a reload took away lets go once its last session has ended,
// not before, and cannot be served again.
func TestARetiredHandlerWaitsForItsSessionsThenLeaves(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	fallback, _ := NewHandler(Config{}, log)
	old, _ := NewHandler(Config{Command: []string{"cat"}}, log)
	rt, err := NewRouter([]Route{{"/a", old}}, fallback, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !old.enter() { // an upgrade under way, as a session is counted
		t.Fatal("a served Handler refused an upgrade")
	}
	if err := rt.Replace(nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-old.retired:
		t.Fatal("the Handler was released while an upgrade on it was under way")
	default:
	}
	if old.enter() {
		t.Error("a retired Handler took a new upgrade")
	}
	old.live.Done()
	awaitRetired(t, old)
	if err := rt.Replace([]Route{{"/a", old}}); err == nil {
		t.Error("Replace served a Handler retired before")
	}
}

func awaitRetired(t *testing.T, h *Handler) {
	t.Helper()
	select {
	case <-h.retired:
	case <-time.After(10 * time.Second):
		t.Fatal("the retired Handler was not released")
	}
}

func TestRouteForksCountAgainstTheSiteLimit(t *testing.T) {
	site := &slotLimit{max: 2}
	a, b := &slotLimit{max: 2, parent: site}, &slotLimit{parent: site}
	if !a.acquire() || !b.acquire() {
		t.Fatal("the first two slots were refused")
	}
	if b.acquire() {
		t.Error("a third process across routes was allowed by a site limit of 2")
	}
	if a.live.Load() != 1 || b.live.Load() != 1 {
		t.Errorf("a refused slot stayed counted: %d %d", a.live.Load(), b.live.Load())
	}
	a.release()
	if !b.acquire() {
		t.Error("a slot given back to the site was not available to another route")
	}
}

// FuzzRouteMatch: for any routes and any request path, the table chooses
// what the rule says (the exact route, else the longest prefix), found
// here the slow way.
func FuzzRouteMatch(f *testing.F) {
	f.Add("/\x00/chat\x00/term/\x00/term/admin/", "/term/admin/x")
	f.Add("/a/\x00/a/b", "/a/b/")
	f.Fuzz(func(t *testing.T, paths, request string) {
		var routes []Route
		for _, p := range strings.Split(paths, "\x00") {
			routes = append(routes, Route{Path: p, Handler: &Handler{}})
		}
		table, err := newRouteTable(routes)
		if err != nil {
			return
		}
		var want *Handler
		longest := -1
		for _, r := range routes {
			switch {
			case r.Path == request:
				want, longest = r.Handler, 1<<30
			case strings.HasSuffix(r.Path, "/") && strings.HasPrefix(request, r.Path) && len(r.Path) > longest:
				want, longest = r.Handler, len(r.Path)
			}
		}
		if got := table.match(request); got != want {
			t.Fatalf("routes %q, path %q: the table chose another route than the rule", paths, request)
		}
	})
}

func TestBelowMountMatchesTheMountSegmentBySegment(t *testing.T) {
	h := &Handler{cfg: Config{Mount: "/scripts"}}
	for escaped, want := range map[string]string{
		"/scripts/x.sh":       "/x.sh",
		"/scr%69pts/x.sh":     "/x.sh",
		"/scripts/a%2Fb":      "/a%2Fb",
		"/scripts%2Fx.sh":     "",
		"/scripts":            "",
		"/scriptsx/y":         "",
		"/other/x":            "",
		"/scripts/../../etc/": "/../../etc/", // resolveScript refuses the dots
	} {
		if got := h.belowMount(escaped); got != want {
			t.Errorf("belowMount(%q) = %q, want %q", escaped, got, want)
		}
	}
	if got := (&Handler{}).belowMount("/a/b"); got != "/a/b" {
		t.Errorf("without a Mount: %q", got)
	}
}
