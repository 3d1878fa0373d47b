//go:build !windows

package test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Symlinks with absolute targets: served when what they resolve to lies
// inside the directory (as the classic websocketd does), 404 when it lies
// outside, for --staticdir, --dir and --cgidir alike.

// absoluteLinks lays out, under base/dir, links with absolute targets that
// stay inside (to a file, a chain of links, a directory) and that leave,
// next to a file and a directory of the layout given by inside.
func absoluteLinks(t *testing.T, dir string, inside map[string]string) (base string) {
	base = tempBase(t)
	root := filepath.Join(base, dir)
	files := map[string]string{
		"outside/secret.txt": "SECRET=outside",
		"outside/evil.sh":    "#!/bin/sh\necho SECRET-RAN\n",
		// Inside, by absolute targets.
		dir + "/abs":        "-> " + filepath.Join(root, "real"),
		dir + "/chain1":     "-> " + filepath.Join(root, "chain2"),
		dir + "/chain2":     "-> hop/chain3",
		dir + "/hop/chain3": "-> " + filepath.Join(root, "real"),
		dir + "/absdir":     "-> " + filepath.Join(root, "sub"),
		// Outside, by absolute targets, directly or at a chain's end.
		dir + "/absout":    "-> " + filepath.Join(base, "outside", "secret.txt"),
		dir + "/absoutsh":  "-> " + filepath.Join(base, "outside", "evil.sh"),
		dir + "/absoutdir": "-> " + filepath.Join(base, "outside"),
		dir + "/chainout":  "-> " + filepath.Join(root, "hop", "out"),
		dir + "/hop/out":   "-> ../../outside/secret.txt",
		dir + "/absdot":    "-> " + filepath.Join(root, ".private"),
		dir + "/.private":  "#!/bin/sh\necho SECRET-RAN\n",
	}
	for name, content := range inside {
		files[dir+"/"+name] = content
	}
	writeFiles(t, base, files)
	// Scripts outside and dot files must be executable, so that only
	// their refusal keeps them from running.
	os.Chmod(filepath.Join(root, ".private"), 0o755)
	os.Chmod(filepath.Join(base, "outside", "evil.sh"), 0o755)
	return base
}

func TestStaticFollowsAbsoluteLinksThatStayInside(t *testing.T) {
	base := absoluteLinks(t, "public", map[string]string{
		"real": "REAL-FILE", "sub/a.txt": "A-FILE", "sub/index.html": "SUB-INDEX",
	})
	s := startServer(t, "--staticdir="+filepath.Join(base, "public"))
	for path, want := range map[string]string{
		"/abs": "REAL-FILE", "/chain1": "REAL-FILE",
		"/absdir/a.txt": "A-FILE", "/absdir/": "SUB-INDEX",
	} {
		if got := s.fetch("GET", path, nil, ""); got.status != http.StatusOK || got.body != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, got.status, got.body, want)
		}
	}
	for _, path := range []string{
		"/absout", "/absoutdir/secret.txt", "/absoutdir/", "/chainout", "/absdot",
	} {
		if got := s.fetch("GET", path, nil, ""); got.status != http.StatusNotFound || strings.Contains(got.body, "SECRET") {
			t.Errorf("GET %s: %d %q, want 404", path, got.status, got.body)
		}
	}
}

func TestStaticListingShowsOnlyWhatIsServed(t *testing.T) {
	base := absoluteLinks(t, "public", map[string]string{"real": "REAL-FILE", "sub/a.txt": "A-FILE"})
	s := startServer(t, "--staticdir="+filepath.Join(base, "public"), "--staticlist")
	list := s.fetch("GET", "/", nil, "")
	if list.status != http.StatusOK {
		t.Fatalf("listing: %d %q", list.status, list.body)
	}
	for _, shown := range []string{"abs", "chain1", "absdir"} {
		if !strings.Contains(list.body, `href="`+shown+`"`) {
			t.Errorf("the listing lacks %s:\n%s", shown, list.body)
		}
	}
	for _, hidden := range []string{"absout", "absoutdir", "chainout", "absdot", ".private"} {
		if strings.Contains(list.body, `href="`+hidden) {
			t.Errorf("the listing shows %s:\n%s", hidden, list.body)
		}
	}
}

// linkedScripts is a --dir or --cgidir tree whose scripts print how they
// were reached.
func linkedScripts(t *testing.T, dir, body string) string {
	return absoluteLinks(t, dir, map[string]string{"real": body, "sub/tool.sh": body})
}

func TestDirFollowsAbsoluteLinksThatStayInside(t *testing.T) {
	body := "#!/bin/sh\necho \"ran $SCRIPT_NAME\"\n"
	base := linkedScripts(t, "scripts", body)
	os.Chmod(filepath.Join(base, "scripts", "real"), 0o755)
	s := startServer(t, "--dir="+filepath.Join(base, "scripts"))
	for path, want := range map[string]string{
		"/abs": "ran /abs", "/chain1": "ran /chain1", "/absdir/tool.sh": "ran /absdir/tool.sh",
	} {
		expectText(t, s.dial(path), want)
	}
	for _, path := range []string{"/absoutsh", "/absoutdir/evil.sh", "/chainout", "/absdot"} {
		if got := s.dialStatus(path, nil); got != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, got)
		}
	}
	if n := len(s.out.lines("SECRET-RAN")); n != 0 {
		t.Errorf("a script outside ran: %q", s.out.lines("SECRET-RAN"))
	}
}

func TestCGIFollowsAbsoluteLinksThatStayInside(t *testing.T) {
	body := "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran %s\\n' \"$SCRIPT_NAME\"\n"
	base := linkedScripts(t, "cgi", body)
	os.Chmod(filepath.Join(base, "cgi", "real"), 0o755)
	s := startServer(t, "--cgidir="+filepath.Join(base, "cgi"))
	for path, want := range map[string]string{
		"/abs": "ran /abs\n", "/chain1": "ran /chain1\n", "/absdir/tool.sh": "ran /absdir/tool.sh\n",
	} {
		if got := s.fetch("GET", path, nil, ""); got.status != http.StatusOK || got.body != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, got.status, got.body, want)
		}
	}
	for _, path := range []string{"/absoutsh", "/absoutdir/evil.sh", "/chainout", "/absdot"} {
		if got := s.fetch("GET", path, nil, ""); got.status != http.StatusNotFound || strings.Contains(got.body, "SECRET") {
			t.Errorf("GET %s: %d %q, want 404", path, got.status, got.body)
		}
	}
}

// A sanity check of the layout itself, so that a 404 above means refusal
// and not a broken tree.
func TestAbsoluteLinksLayoutResolves(t *testing.T) {
	base := absoluteLinks(t, "public", map[string]string{"real": "REAL-FILE", "sub/a.txt": "A"})
	for name, want := range map[string]string{
		"public/chain1": "public/real", "public/absdir": "public/sub",
		"public/chainout": "outside/secret.txt", "public/absdot": "public/.private",
	} {
		got, err := filepath.EvalSymlinks(filepath.Join(base, name))
		if err != nil || got != filepath.Join(base, want) {
			t.Errorf("%s resolves to %q (%v), want %s", name, got, err, want)
		}
	}
}
