package libwebsocketd

import (
	"errors"
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
// nothing inside hidden (the CGI directory) is ever served as a file.
func newStaticHandler(dir string, list bool, hidden string) (http.Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	fsys := staticFS{fsys: root.FS(), list: list, hidden: relativeInside(dir, hidden)}
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowReadOnly(w, r) {
			return
		}
		files.ServeHTTP(w, r)
	}), nil
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

// relativeInside returns inner relative to outer when inner lies inside
// outer (both resolved through symlinks), else "".
func relativeInside(outer, inner string) string {
	if inner == "" {
		return ""
	}
	realOuter, err1 := filepath.EvalSymlinks(outer)
	realInner, err2 := filepath.EvalSymlinks(inner)
	if err1 != nil || err2 != nil || !within(realOuter, realInner) {
		return ""
	}
	rel, _ := filepath.Rel(realOuter, realInner)
	return filepath.ToSlash(rel)
}

type staticFS struct {
	fsys   fs.FS
	list   bool
	hidden string // slash path of a directory never served; "" for none
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
	return dirFile{f}, nil
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

func (s staticFS) refused(name string) bool {
	for _, element := range strings.Split(name, "/") {
		if strings.HasPrefix(element, ".") && element != "." {
			return true
		}
	}
	if s.hidden == "" || s.hidden == "." {
		return s.hidden == "."
	}
	return name == s.hidden || strings.HasPrefix(name, s.hidden+"/")
}

func (s staticFS) hasIndex(dir string) bool {
	info, err := fs.Stat(s.fsys, path.Join(dir, "index.html"))
	return err == nil && !info.IsDir()
}

// dirFile leaves dot files out of a directory listing.
type dirFile struct{ fs.File }

func (d dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	lister, ok := d.File.(fs.ReadDirFile)
	if !ok {
		return nil, errors.New("not a directory")
	}
	entries, err := lister.ReadDir(n)
	kept := entries[:0]
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			kept = append(kept, e)
		}
	}
	return kept, err
}
