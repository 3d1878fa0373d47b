# websocketd: the two commands of the README are `make run` and `make test`.
# The version is written once, in version.go; a build from git adds its
# description (0.6.0+v0.6.0-3-g52ba9bd), except on the release tag itself.
VERSION := $(shell sed -n 's/^const version = "\(.*\)"/\1/p' version.go)
GIT_DESCRIPTION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := -s -w -X main.gitDescription=$(GIT_DESCRIPTION)
PORT ?= 8080

# make install: PREFIX and DESTDIR as usual (make install DESTDIR=/tmp/pkg).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

.PHONY: build run test check fuzz bench clean docs install uninstall version oldest-go

# A single static binary: no cgo, so it runs on any Linux of the same arch.
# The version names the commit through GIT_DESCRIPTION; the go command's own
# VCS stamping is off, as it fails the build where git cannot read the
# checkout (sudo make install in a user's clone).
build:
	CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)' -o websocketd .

# Serves the examples: open http://localhost:$(PORT)/ and pick a script.
# The room examples (rooms.html) are served by two more servers, on the
# next two ports: plain rooms and JSON rooms. All three stop together.
run: build
	./websocketd --port=$$(($(PORT)+1)) --room --dir=examples/rooms/plain & plain=$$!; \
	./websocketd --port=$$(($(PORT)+2)) --room=json --dir=examples/rooms/json & json=$$!; \
	trap 'kill $$plain $$json 2>/dev/null' EXIT INT TERM; \
	./websocketd --port=$(PORT) --dir=examples --staticdir=examples/html

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
	go test -run='^$$' -fuzz='^FuzzOrigin$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzUTF8Stream$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzHtpasswd$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzForwarded$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzParseConfig$$' -fuzztime=$(FUZZTIME) .

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

bench: build
	go run ./bench

# The man page and the bash, zsh and fish completions, written from the
# flag set by the program itself (gendocs.go); the roff comes from go-md2man.
# Writes build/man/websocketd.1 and build/completions/websocketd.bash,
# _websocketd (zsh) and websocketd.fish.
docs:
	go run -buildvcs=false -tags gendocs . build

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
	rm -f websocketd
	rm -rf build
