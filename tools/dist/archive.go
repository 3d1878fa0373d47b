package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// member is one file of an archive or package: where it comes from, its
// path inside, and its permissions.
type member struct {
	src, dst string
	mode     os.FileMode
}

// archiveMembers is what every archive holds besides the binary.
func (r *release) archiveMembers(t target, bin string) []member {
	members := []member{
		{bin, t.binary(), 0o755},
		{"README.md", "README.md", 0o644},
		{"BENCHMARKS.md", "BENCHMARKS.md", 0o644},
		{"LICENSE", "LICENSE", 0o644},
		{"CHANGES", "CHANGES", 0o644},
		{filepath.Join(r.docs, "man", "websocketd.1"), "websocketd.1", 0o644},
		{filepath.Join(r.docs, "completions", "websocketd.bash"), "completions/websocketd.bash", 0o644},
		{filepath.Join(r.docs, "completions", "_websocketd"), "completions/_websocketd", 0o644},
		{filepath.Join(r.docs, "completions", "websocketd.fish"), "completions/websocketd.fish", 0o644},
	}
	// The reference the README links to, at the same relative place.
	for _, page := range docPages() {
		members = append(members, member{page, page, 0o644})
	}
	return members
}

// docPages are docs/*.md, sorted (the archives are reproducible), with
// "/" as the README's links name them.
func docPages() []string {
	pages, _ := filepath.Glob(filepath.Join("docs", "*.md")) // the pattern is good: no error
	for i, page := range pages {
		pages[i] = filepath.ToSlash(page)
	}
	sort.Strings(pages)
	return pages
}

// archive writes websocketd-VERSION-TARGET.tar.gz (.zip for Windows), all
// of it under a folder of the same name.
func (r *release) archive(t target, bin string) error {
	base := fmt.Sprintf("websocketd-%s-%s", r.version, t.name())
	members := r.archiveMembers(t, bin)
	if t.goos == "windows" {
		return r.writeZip(filepath.Join(r.out, base+".zip"), base, members)
	}
	return r.writeTarGz(filepath.Join(r.out, base+".tar.gz"), base, members)
}

// writeTarGz stores every member with the release's timestamp, owned by
// root, in the order given; the gzip header carries no name and no time.
func (r *release) writeTarGz(path, folder string, members []member) error {
	return writeFile(path, func(w io.Writer) error {
		gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
		if err != nil {
			return err
		}
		tw := tar.NewWriter(gz)
		for _, m := range members {
			data, err := os.ReadFile(m.src)
			if err != nil {
				return err
			}
			hdr := &tar.Header{Name: folder + "/" + m.dst, Mode: int64(m.mode), Size: int64(len(data)),
				ModTime: r.epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := tw.Write(data); err != nil {
				return err
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		return gz.Close()
	})
}

// writeZip is writeTarGz for Windows users, whose tools open .zip.
func (r *release) writeZip(path, folder string, members []member) error {
	return writeFile(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, m := range members {
			data, err := os.ReadFile(m.src)
			if err != nil {
				return err
			}
			hdr := &zip.FileHeader{Name: folder + "/" + m.dst, Method: zip.Deflate, Modified: r.epoch}
			hdr.SetMode(m.mode)
			f, err := zw.CreateHeader(hdr)
			if err != nil {
				return err
			}
			if _, err := f.Write(data); err != nil {
				return err
			}
		}
		return zw.Close()
	})
}

// writeChecksums lists every file of dir in SHA256SUMS, sorted, in the
// format `sha256sum -c` reads.
func writeChecksums(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var lines []string
	for _, e := range entries { // sorted by name
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%x  %s\n", sha256.Sum256(data), e.Name()))
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(strings.Join(lines, "")), 0o644)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
