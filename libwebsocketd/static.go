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
// file server: MIME types, Range, If-Modified-Since and index.html. The
// directory is opened as an os.Root, so no symlink leads out of it; dot
// files are never served; directories are listed only with list set; and
// nothing inside hidden (the CGI directory) is ever served as a file, by
// whatever symlink it is reached.
func newStaticHandler(dir string, list bool, hidden string) (http.Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	fsys := staticFS{fsys: root.FS(), list: list}
	if hidden != "" {
		if fsys.realDir, fsys.realHidden, err = hiddenInside(dir, hidden); err != nil {
			return nil, err
		}
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
// when hidden lies outside dir, where the root cannot reach it anyway.
func hiddenInside(dir, hidden string) (realDirPath, realHidden string, err error) {
	if realDirPath, err = realDir(dir); err != nil {
		return "", "", err
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
	fsys fs.FS
	list bool
	// realDir is the served directory and realHidden the CGI directory
	// inside it, both without symlinks; realHidden is "" when there is
	// none to hide.
	realDir, realHidden string
}

func (s staticFS) Open(name string) (fs.File, error) {
	if s.refused(name) {
		return nil, fs.ErrNotExist
	}
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, notFound(err)
	}
	info, err := f.Stat()
	if err != nil || !info.IsDir() {
		return f, err
	}
	if !s.list && !s.hasIndex(name) {
		f.Close()
		return nil, fs.ErrNotExist // no listing: as if the directory were absent
	}
	return dirFile{File: f, fsys: s, name: name}, nil
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

// refused reports whether name (a slash path below the root) must not be
// served: it has a dot file or dot directory in it, or it leads, through
// symlinks or not, into the hidden directory.
func (s staticFS) refused(name string) bool {
	for _, element := range strings.Split(name, "/") {
		if strings.HasPrefix(element, ".") && element != "." {
			return true
		}
	}
	if s.realHidden == "" {
		return false
	}
	real, err := filepath.EvalSymlinks(filepath.Join(s.realDir, filepath.FromSlash(name)))
	return err == nil && within(s.realHidden, real)
}

func (s staticFS) hasIndex(dir string) bool {
	info, err := fs.Stat(s.fsys, path.Join(dir, "index.html"))
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
		if !d.fsys.refused(path.Join(d.name, e.Name())) {
			kept = append(kept, e)
		}
	}
	return kept, err
}
