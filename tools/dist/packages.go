package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// pkgFile is one file a package installs; packager limits it to "deb" or
// "rpm" where the two distributions disagree on the place.
type pkgFile struct {
	src, dst, mode, packager string
}

// packages writes websocketd_VERSION_ARCH.deb and the matching .rpm for a
// Linux target: the binary in /usr/bin, the man page, the completions, and
// the systemd units (installed, not enabled: no scripts run at install).
func (r *release) packages(t target, bin string) error {
	stage := filepath.Join(r.work, t.name()+"-pkg")
	files, err := r.stagePackage(stage, bin)
	if err != nil {
		return err
	}
	config := filepath.Join(stage, "nfpm.yaml")
	if err := os.WriteFile(config, []byte(r.nfpmConfig(t, files)), 0o644); err != nil {
		return err
	}
	for _, packager := range []string{"deb", "rpm"} {
		args := append(r.nfpm[1:], "package", "--config", config, "--packager", packager, "--target", r.out)
		cmd := exec.Command(r.nfpm[0], args...)
		cmd.Env = append(os.Environ(), fmt.Sprintf("SOURCE_DATE_EPOCH=%d", r.epoch.Unix()))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("nfpm %s for %s: %w", packager, t.name(), err)
		}
	}
	return nil
}

// stagePackage prepares the files that need it (a gzipped man page, units
// that name /usr/bin) and lists everything the package installs.
func (r *release) stagePackage(stage, bin string) ([]pkgFile, error) {
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return nil, err
	}
	man := filepath.Join(stage, "websocketd.1.gz")
	if err := gzipFile(filepath.Join(r.docs, "man", "websocketd.1"), man); err != nil {
		return nil, err
	}
	files := []pkgFile{
		{bin, "/usr/bin/websocketd", "0755", ""},
		{man, "/usr/share/man/man1/websocketd.1.gz", "0644", ""},
		{filepath.Join(r.docs, "completions", "websocketd.bash"), "/usr/share/bash-completion/completions/websocketd", "0644", ""},
		{filepath.Join(r.docs, "completions", "_websocketd"), "/usr/share/zsh/vendor-completions/_websocketd", "0644", "deb"},
		{filepath.Join(r.docs, "completions", "_websocketd"), "/usr/share/zsh/site-functions/_websocketd", "0644", "rpm"},
		{filepath.Join(r.docs, "completions", "websocketd.fish"), "/usr/share/fish/vendor_completions.d/websocketd.fish", "0644", ""},
		{"README.md", "/usr/share/doc/websocketd/README.md", "0644", ""},
		{"CHANGES", "/usr/share/doc/websocketd/CHANGES", "0644", ""},
		{"BENCHMARKS.md", "/usr/share/doc/websocketd/BENCHMARKS.md", "0644", ""},
		{"LICENSE", "/usr/share/doc/websocketd/copyright", "0644", ""},
	}
	for _, page := range docPages() {
		files = append(files, pkgFile{page, "/usr/share/doc/websocketd/" + page, "0644", ""})
	}
	for _, unit := range []string{"websocketd.service", "websocketd.socket"} {
		staged := filepath.Join(stage, unit)
		if err := packagedUnit(filepath.Join("examples", "systemd", unit), staged); err != nil {
			return nil, err
		}
		files = append(files, pkgFile{staged, "/usr/lib/systemd/system/" + unit, "0644", ""})
	}
	return files, nil
}

// packagedUnit copies an example unit, with the binary where the package
// puts it rather than where `make install` does.
func packagedUnit(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	data = bytes.ReplaceAll(data, []byte("/usr/local/bin/websocketd"), []byte("/usr/bin/websocketd"))
	return os.WriteFile(dst, data, 0o644)
}

// gzipFile compresses src as man pages are shipped, with no name or time
// in the header so the result depends on the content alone.
func gzipFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	gz.Write(data)
	if err := gz.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}

// nfpmConfig is the package description nfpm reads. Paths are absolute so
// the file can live in the stage folder.
func (r *release) nfpmConfig(t target, files []pkgFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, `name: websocketd
arch: %s
platform: linux
version: %s
release: 1
section: net
priority: optional
maintainer: websocketd developers
vendor: websocketd
homepage: https://github.com/websocketd/websocketd
license: BSD-2-Clause
mtime: %s
description: |
  Turns any program that reads STDIN and writes STDOUT into a WebSocket
  server: every connection gets its own process, each line it writes is a
  message, each message it receives is a line on its STDIN.
contents:
`, t.goarch, r.version, r.epoch.Format("2006-01-02T15:04:05Z"))
	for _, f := range files {
		src, _ := filepath.Abs(f.src)
		fmt.Fprintf(&b, "  - src: %q\n    dst: %q\n    file_info:\n      mode: %s\n", src, f.dst, f.mode)
		if f.packager != "" {
			fmt.Fprintf(&b, "    packager: %s\n", f.packager)
		}
	}
	return b.String()
}
