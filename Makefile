# websocketd: the two commands of the README are `make run` and `make test`.
# The version is written once, in version.go; a build from git adds its
# description (0.6.0+v0.6.0-3-g52ba9bd), except on the release tag itself.
VERSION := $(shell sed -n 's/^const version = "\(.*\)"/\1/p' version.go)
GIT_DESCRIPTION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := -s -w -X main.gitDescription=$(GIT_DESCRIPTION)
PORT ?= 8080
ADDRESS ?= 127.0.0.1

# make install: PREFIX and DESTDIR as usual (make install DESTDIR=/tmp/pkg).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

.PHONY: build run examples test check fuzz bench clean docs install uninstall version oldest-go cross test-portable test-wine dist

# A single static binary: no cgo, so it runs on any Linux of the same arch.
# The version names the commit through GIT_DESCRIPTION; the go command's own
# VCS stamping is off, as it fails the build where git cannot read the
# checkout (sudo make install in a user's clone).
build:
	CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)' -o websocketd .

# Serves every example, the pages that talk to them, the rooms, a terminal
# and a dev console: one websocketd, on one port, from one file whose
# routes say what each path serves (examples/site.toml, commented). On
# 127.0.0.1 only: dump-env shows the server's environment and /terminal
# hands a shell to whoever connects. ADDRESS= and PORT= choose another
# interface and port; as flags they win over the file's address and port.
# exec: make's child is websocketd itself, so Ctrl-C and a SIGTERM to make
# reach it and make waits until it (and every program it ran) is gone; a
# port in use stops it at once, with its reason, and fails make run.
RUN_HOST := $(if $(filter-out 0.0.0.0 [::],$(ADDRESS)),$(ADDRESS),localhost)
run: build examples
	@echo 'websocketd examples: open http://$(RUN_HOST):$(PORT)/ in a browser (Ctrl-C stops the server)'
	exec ./websocketd --config=examples/site.toml --address='$(ADDRESS)' --port='$(PORT)'

# The C and Go examples are compiled next to their sources (the binaries are
# gitignored); the scripts in the other languages run as they are. Without
# a C compiler the C examples are left out rather than failing `make run`.
EXAMPLE_NAMES := count greeter echo dump-env
EXAMPLES_GO := $(EXAMPLE_NAMES:%=examples/go/%)
EXAMPLES_C := $(if $(shell command -v $(CC) 2>/dev/null),$(EXAMPLE_NAMES:%=examples/c/%))

examples: $(EXAMPLES_GO) $(EXAMPLES_C)
	@$(if $(EXAMPLES_C),:,echo "no C compiler ($(CC)): the C examples are not built")

examples/go/%: examples/go/%.go
	CGO_ENABLED=0 go build -trimpath -o $@ $<

examples/c/%: examples/c/%.c
	$(CC) -O2 -Wall -Wextra -o $@ $<

# Formatting, vet and every test (unit, black-box, browser) under -race.
test: check
	go test -race -count=1 -timeout 15m ./...
	$(MAKE) fuzz

# Each fuzz target for FUZZTIME (go test fuzzes one target per run), after
# its seed corpus in testdata/fuzz has passed as part of the tests above.
# A count of inputs rather than a duration: before Go 1.27 the fuzzing
# coordinator can report a spurious "context deadline exceeded" failure
# when a duration ends on a busy machine (golang/go#75804); a count has no
# deadline to race. FUZZTIME=30s still works for a longer local run.
FUZZTIME ?= 5000x
fuzz:
	go test -run='^$$' -fuzz='^FuzzResolveScript$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzBuildEnv$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzCGIRequest$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzOrigin$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzWindowsSegment$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzUTF8Stream$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzHtpasswd$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzForwarded$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzHostHeader$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzLeadingPingOrPong$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzServerCgroupPid$$' -fuzztime=$(FUZZTIME) ./internal/child
	go test -run='^$$' -fuzz='^FuzzNspidDepth$$' -fuzztime=$(FUZZTIME) ./internal/child
	go test -run='^$$' -fuzz='^FuzzLineReader$$' -fuzztime=$(FUZZTIME) ./internal/pipes
	go test -run='^$$' -fuzz='^FuzzFramedReader$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzRouteMatch$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzConfigFile$$' -fuzztime=$(FUZZTIME) .
	go test -run='^$$' -fuzz='^FuzzClusterWire$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzConnectAddress$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzResumeQuery$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzSSEEvent$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzAcceptsEventStream$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzParseConfig$$' -fuzztime=$(FUZZTIME) .
	go test -run='^$$' -fuzz='^FuzzFrameReader$$' -fuzztime=$(FUZZTIME) ./bench

# The go line of go.mod is the oldest Go we support: vet and test with
# exactly that toolchain (the go command fetches it once, GOTOOLCHAIN).
GO_MIN := $(shell awk '$$1 == "go" { print $$2 }' go.mod)
oldest-go:
	GOTOOLCHAIN=go$(GO_MIN) go version
	GOTOOLCHAIN=go$(GO_MIN) go vet ./...
	GOTOOLCHAIN=go$(GO_MIN) go vet -tags gendocs .
	GOTOOLCHAIN=go$(GO_MIN) go test -count=1 -timeout 15m ./...

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: the files above need formatting'; exit 1; }
	go vet ./...
	go vet -tags gendocs .

# Every release target builds without cgo, and go vet (which compiles the
# tests too) is clean for each; then once more for Linux built with the
# portable code of macOS and the BSDs (-tags portable).
# The targets are those of a release, listed once, in tools/dist.
TARGETS = $(shell go run ./tools/dist -list)
cross:
	@set -e; for target in $(TARGETS); do \
		echo "cross: $$target"; \
		export CGO_ENABLED=0 GOOS=$${target%/*} GOARCH=$${target#*/} GOARM=6; \
		go build -o /dev/null . ; \
		go vet ./... ; \
	done
	go vet -tags portable ./...

# The black-box suite and the unit tests once more, with the code macOS and
# the BSDs run (a goroutine per pipe, the portable hang-up check) in place
# of Linux's epoll watcher. Without -race: the race runs are in make test.
test-portable:
	go test -tags portable -count=1 -timeout 15m ./libwebsocketd ./internal/... ./test

# Windows, run under Wine: the unit tests built for Windows, and a smoke
# test of websocketd.exe serving Windows children to a Linux client
# (test/wine; needs wine64 and gcc-mingw-w64-x86-64, see .ci/run).
test-wine:
	go test -tags wine -count=1 -timeout 15m -v ./test/wine

bench: build
	go run ./bench

# The man page and the bash, zsh and fish completions, written from the
# flag set by the program itself (gendocs.go); the roff comes from go-md2man.
# Writes build/man/websocketd.1 and build/completions/websocketd.bash,
# _websocketd (zsh) and websocketd.fish, and the reference's flags page,
# docs/flags.md (a test fails when it differs from the flags).
docs:
	go run -buildvcs=false -tags gendocs . build docs/flags.md

install: build docs
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' \
		'$(DESTDIR)$(BASHCOMPDIR)' '$(DESTDIR)$(ZSHCOMPDIR)' '$(DESTDIR)$(FISHCOMPDIR)'
	install -m 755 websocketd '$(DESTDIR)$(BINDIR)/websocketd'
	install -m 644 build/man/websocketd.1 '$(DESTDIR)$(MANDIR)/man1/websocketd.1'
	install -m 644 build/completions/websocketd.bash '$(DESTDIR)$(BASHCOMPDIR)/websocketd'
	install -m 644 build/completions/_websocketd '$(DESTDIR)$(ZSHCOMPDIR)/_websocketd'
	install -m 644 build/completions/websocketd.fish '$(DESTDIR)$(FISHCOMPDIR)/websocketd.fish'

# Removes exactly what install put there, and no directory.
uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/websocketd' '$(DESTDIR)$(MANDIR)/man1/websocketd.1' \
		'$(DESTDIR)$(BASHCOMPDIR)/websocketd' '$(DESTDIR)$(ZSHCOMPDIR)/_websocketd' \
		'$(DESTDIR)$(FISHCOMPDIR)/websocketd.fish'

version:
	@echo $(VERSION)

clean:
	rm -f websocketd $(EXAMPLE_NAMES:%=examples/go/%) $(EXAMPLE_NAMES:%=examples/c/%)
	rm -rf build dist

# Release archives for every target, .deb and .rpm packages and SHA256SUMS
# in $(DIST), byte-identical from run to run: every timestamp is the last
# commit's (tools/dist). VERSION, if given, must match version.go;
# DIST_TARGETS=linux-amd64,... builds only those.
NFPM ?= go run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
DIST ?= dist
DIST_TARGETS ?=
dist: docs
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct) go run ./tools/dist -version='$(VERSION)' \
		-out='$(DIST)' -targets='$(DIST_TARGETS)' -nfpm='$(NFPM)'
