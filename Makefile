# websocketd: the two commands of the README are `make run` and `make test`.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PORT ?= 8080

.PHONY: build run test check fuzz bench clean cross test-portable test-wine

# A single static binary: no cgo, so it runs on any Linux of the same arch.
build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o websocketd .

# Serves the examples: open http://localhost:$(PORT)/ and pick a script.
run: build
	./websocketd --port=$(PORT) --dir=examples --staticdir=examples/html

# Formatting, vet and every test (unit, black-box, browser) under -race.
test: check
	go test -race -count=1 -timeout 15m ./...
	$(MAKE) fuzz

# Each fuzz target for FUZZTIME (go test fuzzes one target per run), after
# its seed corpus in testdata/fuzz has passed as part of the tests above.
FUZZTIME ?= 10s
fuzz:
	go test -run='^$$' -fuzz='^FuzzResolveScript$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzBuildEnv$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzOrigin$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzWindowsSegment$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzParseConfig$$' -fuzztime=$(FUZZTIME) .

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: the files above need formatting'; exit 1; }
	go vet ./...

# Every release target builds without cgo, and go vet (which compiles the
# tests too) is clean for each; then once more for Linux built with the
# portable code of macOS and the BSDs (-tags portable).
TARGETS := linux/amd64 linux/386 linux/arm linux/arm64 darwin/amd64 darwin/arm64 \
	freebsd/amd64 openbsd/amd64 windows/amd64 windows/386 windows/arm64
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
	go test -tags portable -count=1 -timeout 15m ./libwebsocketd ./test

# Windows, run under Wine: the unit tests built for Windows, and a smoke
# test of websocketd.exe serving Windows children to a Linux client
# (test/wine; needs wine64 and gcc-mingw-w64-x86-64, see .ci/run).
test-wine:
	go test -tags wine -count=1 -timeout 15m -v ./test/wine

bench: build
	go run ./bench

clean:
	rm -f websocketd
