//go:build !windows

package test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// --staticdir: files served as a file server serves them (types, ranges,
// conditional requests, HEAD), and never a dot file, a link out of the
// directory, or a listing without --staticlist.

// publicTree lays out a --staticdir with dot files and ways out of it.
func publicTree(t *testing.T) string {
	base := tempBase(t)
	writeFiles(t, base, map[string]string{
		"public/index.html":           "<h1>home</h1>",
		"public/style.css":            "h1 { color: red }",
		"public/digits.txt":           "0123456789",
		"public/.env":                 "SECRET=env",
		"public/.git/config":          "SECRET=git",
		"public/sub/a.txt":            "a",
		"public/sub/.secret.txt":      "SECRET=hidden",
		"public/withindex/index.html": "<p>inner</p>",
		"public/inlink.txt":           "-> digits.txt",
		"public/outlink.txt":          "-> ../secret.txt",
		"public/outdir":               "-> ..",
		"secret.txt":                  "SECRET=outside",
	})
	return filepath.Join(base, "public")
}

func TestStaticServesFiles(t *testing.T) {
	s := startServer(t, "--staticdir="+publicTree(t))
	home := s.fetch("GET", "/", nil, "")
	if home.status != 200 || home.body != "<h1>home</h1>" || !strings.HasPrefix(home.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %d %q %q", home.status, home.header.Get("Content-Type"), home.body)
	}
	if inner := s.fetch("GET", "/withindex/", nil, ""); inner.status != 200 || inner.body != "<p>inner</p>" {
		t.Errorf("GET /withindex/: %d %q", inner.status, inner.body)
	}
	if css := s.fetch("GET", "/style.css", nil, ""); css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /style.css: %d %q", css.status, css.header.Get("Content-Type"))
	}
	if link := s.fetch("GET", "/inlink.txt", nil, ""); link.status != 200 || link.body != "0123456789" {
		t.Errorf("a symlink inside the directory: %d %q", link.status, link.body)
	}
	part := s.fetch("GET", "/digits.txt", http.Header{"Range": {"bytes=2-4"}}, "")
	if part.status != http.StatusPartialContent || part.body != "234" || part.header.Get("Content-Range") != "bytes 2-4/10" {
		t.Errorf("Range: %d %q %q", part.status, part.header.Get("Content-Range"), part.body)
	}
	whole := s.fetch("GET", "/digits.txt", nil, "")
	modified := whole.header.Get("Last-Modified")
	if whole.status != 200 || modified == "" {
		t.Fatalf("GET /digits.txt: %d, Last-Modified %q", whole.status, modified)
	}
	if again := s.fetch("GET", "/digits.txt", http.Header{"If-Modified-Since": {modified}}, ""); again.status != http.StatusNotModified || again.body != "" {
		t.Errorf("If-Modified-Since: %d %q", again.status, again.body)
	}
	head := s.fetch("HEAD", "/digits.txt", nil, "")
	if head.status != 200 || head.body != "" || head.header.Get("Content-Length") != "10" {
		t.Errorf("HEAD: %d %q length %q", head.status, head.body, head.header.Get("Content-Length"))
	}
}

func TestStaticRefusesDotFilesLinksOutAndListings(t *testing.T) {
	s := startServer(t, "--staticdir="+publicTree(t))
	for _, path := range []string{
		"/.env", "/%2eenv", "/.git/config", "/.git/", "/.git", "/sub/.secret.txt",
		"/outlink.txt", "/outdir/secret.txt", "/outdir/", "/sub/", "/sub", "/missing",
	} {
		got := s.fetch("GET", path, nil, "")
		if got.status != http.StatusNotFound || strings.Contains(got.body, "SECRET") || strings.Contains(got.body, "a.txt") {
			t.Errorf("GET %s: %d %q, want a 404", path, got.status, got.body)
		}
		if line := s.accessLine(path); !strings.Contains(line, "GET 404 Not Found") {
			t.Errorf("GET %s: access line %q", path, line)
		}
	}
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		got := s.fetch(method, "/digits.txt", nil, "x")
		if got.status != http.StatusMethodNotAllowed || got.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q; want 405 with Allow: GET, HEAD", method, got.status, got.header.Get("Allow"))
		}
	}
}

func TestStaticListsOnlyWithStaticList(t *testing.T) {
	s := startServer(t, "--staticdir="+publicTree(t), "--staticlist")
	list := s.fetch("GET", "/sub/", nil, "")
	if list.status != 200 || !strings.Contains(list.body, "a.txt") || strings.Contains(list.body, ".secret") {
		t.Errorf("listing of /sub/: %d %q", list.status, list.body)
	}
	for _, path := range []string{"/.git/", "/outdir/", "/sub/.secret.txt"} {
		if got := s.fetch("GET", path, nil, ""); got.status != http.StatusNotFound {
			t.Errorf("GET %s with --staticlist: %d %q", path, got.status, got.body)
		}
	}
}
