package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version is websocketd's semantic version, written here and nowhere else:
// --version, SERVER_SOFTWARE, the man page and `make version` read it.
const version = "0.6.0"

// gitDescription is `git describe --tags --always --dirty` of the tree a
// development build came from, set by the Makefile through -ldflags.
var gitDescription string

// fullVersion is the version, plus the git description as semantic-version
// build metadata when the build is not the release tag itself:
// "0.6.0" or "0.6.0+v0.5.0-12-g52ba9bd-dirty".
func fullVersion() string {
	return versionWith(gitDescription, vcsDescription())
}

func versionWith(described, stamped string) string {
	description := described
	if description == "" {
		description = stamped
	}
	if description == "" || description == "v"+version {
		return version
	}
	return version + "+" + buildMetadata(description)
}

// vcsDescription is what the go command stamps into a build made in a git
// checkout without the Makefile ("go build", "go install"): the commit,
// and "-dirty" for uncommitted changes.
func vcsDescription() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return ""
	}
	description := revision[:min(12, len(revision))]
	if modified == "true" {
		description += "-dirty"
	}
	return description
}

// buildMetadata keeps only what semantic versioning allows after "+".
func buildMetadata(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return r
		}
		return '-'
	}, s)
}

// versionLine is what --version prints.
func versionLine() string {
	return "websocketd " + fullVersion() + " (" + runtime.Version() + " " + runtime.GOOS + "-" + runtime.GOARCH + ")\n"
}
