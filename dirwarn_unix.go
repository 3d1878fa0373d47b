//go:build !windows

package main

import (
	"io/fs"
	"os"
	"path/filepath"
)

// worldWritableDir returns dir, or the directory above it, that every
// user may write to in a way that changes what dir holds, or "" when
// there is none. Above dir a sticky bit (as on /tmp) is enough: nobody
// may then rename or remove another's entries. The path as given and the
// one its symlinks lead to are both checked, as a request resolves the
// one through the other.
func worldWritableDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	paths := []string{abs}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		paths = append(paths, real)
	}
	for _, path := range paths {
		if open := firstWorldWritable(path); open != "" {
			return open
		}
	}
	return ""
}

// firstWorldWritable walks from dir up to the root directory.
func firstWorldWritable(dir string) string {
	for path := dir; ; path = filepath.Dir(path) {
		info, err := os.Stat(path)
		if err == nil && info.Mode().Perm()&0o002 != 0 && (path == dir || info.Mode()&fs.ModeSticky == 0) {
			return path
		}
		if parent := filepath.Dir(path); parent == path {
			return ""
		}
	}
}
