// Command dist builds a websocketd release: for every target an archive
// (.tar.gz, or .zip for Windows) with the binary, README, docs/,
// BENCHMARKS.md, LICENSE, CHANGES, the man page and the shell
// completions; .deb and .rpm packages
// for Linux amd64 and arm64; and SHA256SUMS over them all.
//
// The output depends only on the sources, the Go toolchain, the version
// and SOURCE_DATE_EPOCH (every timestamp in every file), so two runs give
// byte-identical files. `make dist VERSION=x.y.z` runs it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// semver is the form a version must have to name archives and packages:
// dpkg and rpm both need it to start with a digit.
var semver = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$`)

// versionConst finds the version in version.go, its one place.
var versionConst = regexp.MustCompile(`(?m)^const version = "(.*)"$`)

// checkVersion makes sure the release is named as the binaries will say:
// a release is cut by setting the version in version.go first.
func checkVersion(want string) error {
	if !semver.MatchString(want) {
		return fmt.Errorf("-version=%q: want a version like 0.6.0 or 0.6.0-rc1 (no leading v)", want)
	}
	source, err := os.ReadFile("version.go")
	if err != nil {
		return err
	}
	m := versionConst.FindSubmatch(source)
	if m == nil || string(m[1]) != want {
		return fmt.Errorf("-version=%s does not match the version in version.go: set it there first", want)
	}
	return nil
}

// release is what one run makes, and from what.
type release struct {
	version string
	out     string          // where the archives, packages and SHA256SUMS go
	docs    string          // where `make docs` wrote man/ and completions/
	work    string          // scratch space for builds and package trees
	nfpm    []string        // the command that runs nfpm
	epoch   time.Time       // every timestamp written
	only    map[string]bool // target names to build; empty: all
}

func main() {
	r, err := parseArgs()
	if err == nil {
		err = r.build()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

func parseArgs() (*release, error) {
	r := &release{}
	var nfpm, only string
	flag.StringVar(&r.version, "version", "", "release version, e.g. 0.6.0 (required)")
	flag.StringVar(&r.out, "out", "dist", "output directory (emptied first)")
	flag.StringVar(&r.docs, "docs", "build", "directory holding man/websocketd.1 and completions/")
	flag.StringVar(&r.work, "work", "build/dist-work", "scratch directory (emptied first)")
	flag.StringVar(&nfpm, "nfpm", "nfpm", "command that runs nfpm (split on spaces)")
	flag.StringVar(&only, "targets", "", "comma-separated target names to build, e.g. linux-amd64 (default: all)")
	list := flag.Bool("list", false, "print every target as GOOS/GOARCH and exit (for make cross)")
	flag.Parse()
	if *list {
		for _, t := range targets {
			fmt.Println(t.goos + "/" + t.goarch)
		}
		os.Exit(0)
	}
	if err := checkVersion(r.version); err != nil {
		return nil, err
	}
	r.nfpm = strings.Fields(nfpm)
	r.only = map[string]bool{}
	for _, name := range strings.FieldsFunc(only, func(c rune) bool { return c == ',' }) {
		r.only[name] = true
	}
	epoch, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64)
	if err != nil {
		return nil, errors.New("SOURCE_DATE_EPOCH must hold the release's timestamp (seconds since 1970)")
	}
	r.epoch = time.Unix(epoch, 0).UTC()
	return r, nil
}

func (r *release) build() error {
	for _, dir := range []string{r.out, r.work} {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	for _, t := range targets {
		if len(r.only) > 0 && !r.only[t.name()] {
			continue
		}
		bin, err := r.compile(t)
		if err != nil {
			return err
		}
		if err := r.archive(t, bin); err != nil {
			return err
		}
		if packaged[t.name()] {
			if err := r.packages(t, bin); err != nil {
				return err
			}
		}
	}
	return writeChecksums(r.out)
}

// compile builds the binary for t: static, no paths of this machine, no
// VCS stamp (it would differ between a clean and a dirty tree).
func (r *release) compile(t target) (string, error) {
	bin := filepath.Join(r.work, t.name(), t.binary())
	// No git description: a release binary says its version and no more.
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), t.env()...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %w", t.name(), err)
	}
	fmt.Fprintln(os.Stderr, "built", bin)
	return bin, nil
}
