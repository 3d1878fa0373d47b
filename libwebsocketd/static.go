package libwebsocketd

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// newStaticHandler serves the files of dir (--staticdir) with the standard
// file server: MIME types, Range, If-Modified-Since and index.html. Every
// path is resolved, symlinks followed, to a real path that must lie inside
// dir, and is then opened through an os.Root of dir, so that no symlink
// swapped in meanwhile leads out either. Dot files are never served;
// directories are listed only with list set; and nothing inside hidden
// (the CGI directory) is ever served as a file, by whatever symlink it is
// reached.
func newStaticHandler(dir string, list bool, hidden string) (http.Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	fsys := staticFS{fsys: root.FS(), list: list}
	if fsys.realDir, fsys.realHidden, err = hiddenInside(dir, hidden); err != nil {
		return nil, err
	}
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowReadOnly(w, r) {
			return
		}
		files.ServeHTTP(w, r)
	}), nil
}

// hiddenInside resolves dir and hidden to real paths; realHidden is empty
// when there is no hidden directory or it lies outside dir, where nothing
// served can reach it anyway.
func hiddenInside(dir, hidden string) (realDirPath, realHidden string, err error) {
	if realDirPath, err = realDir(dir); err != nil {
		return "", "", err
	}
	if hidden == "" {
		return realDirPath, "", nil
	}
	if realHidden, err = realDir(hidden); err != nil {
		return "", "", fmt.Errorf("--cgidir: %w", err)
	}
	if !within(realDirPath, realHidden) {
		realHidden = ""
	}
	return realDirPath, realHidden, nil
}

// allowReadOnly answers 405 to methods other than GET and HEAD.
func allowReadOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
	return false
}

type staticFS struct {
	fsys fs.FS // the os.Root of the served directory
	list bool
	// realDir is the served directory and realHidden the CGI directory
	// inside it, both without symlinks; realHidden is "" when there is
	// none to hide.
	realDir, realHidden string
}

func (s staticFS) Open(name string) (fs.File, error) {
	real, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	f, err := s.fsys.Open(real)
	if err != nil {
		return nil, notFound(err)
	}
	info, err := f.Stat()
	if err != nil || !info.IsDir() {
		return f, err
	}
	if !s.list && !s.hasIndex(real) {
		f.Close()
		return nil, fs.ErrNotExist // no listing: as if the directory were absent
	}
	return dirFile{File: f, fsys: s, name: name}, nil
}

// resolve turns name (a slash path below the root, as asked for) into the
// slash path below the root of what it really is, every symlink followed.
// The root alone would refuse every symlink with an absolute target; the
// classic websocketd serves one that leads back inside, and so does this.
// It reports "does not exist" for what must not be served: a dot file or
// dot directory, by its own name or the one it resolves to; anything that
// resolves outside the root; anything inside the hidden directory.
func (s staticFS) resolve(name string) (string, error) {
	if hasDotElement(name) {
		return "", fs.ErrNotExist
	}
	real, err := filepath.EvalSymlinks(filepath.Join(s.realDir, filepath.FromSlash(name)))
	if err != nil {
		return "", notFound(err)
	}
	if !within(s.realDir, real) || (s.realHidden != "" && within(s.realHidden, real)) {
		return "", fs.ErrNotExist
	}
	rel, err := filepath.Rel(s.realDir, real)
	if err != nil || hasDotElement(filepath.ToSlash(rel)) {
		return "", fs.ErrNotExist
	}
	return filepath.ToSlash(rel), nil
}

// notFound turns an error opening a file into "does not exist", except a
// lack of permission (403). The root reports a symlink leading out of it
// as an error of its own, which the file server would answer with a 500.
func notFound(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return err
	}
	return fs.ErrNotExist
}

// hasDotElement reports whether a slash path has a dot file or dot
// directory in it ("." alone is the root).
func hasDotElement(name string) bool {
	for _, element := range strings.Split(name, "/") {
		if strings.HasPrefix(element, ".") && element != "." {
			return true
		}
	}
	return false
}

func (s staticFS) hasIndex(dir string) bool {
	index, err := s.resolve(path.Join(dir, "index.html"))
	if err != nil {
		return false
	}
	info, err := fs.Stat(s.fsys, index)
	return err == nil && !info.IsDir()
}

// dirFile leaves out of a directory listing what would not be served.
type dirFile struct {
	fs.File
	fsys staticFS
	name string
}

func (d dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	lister, ok := d.File.(fs.ReadDirFile)
	if !ok {
		return nil, errors.New("not a directory")
	}
	entries, err := lister.ReadDir(n)
	kept := entries[:0]
	for _, e := range entries {
		if _, refused := d.fsys.resolve(path.Join(d.name, e.Name())); refused == nil {
			kept = append(kept, e)
		}
	}
	return kept, err
}
