# websocketd: the two commands of the README are `make run` and `make test`.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PORT ?= 8080

.PHONY: build run test check fuzz bench clean dist

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
	go test -run='^$$' -fuzz='^FuzzParseConfig$$' -fuzztime=$(FUZZTIME) .

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: the files above need formatting'; exit 1; }
	go vet ./...

bench: build
	go run ./bench

# Release archives for every target, .deb and .rpm packages and SHA256SUMS
# in $(DIST): `make dist VERSION=0.6.0`. Byte-identical from run to run:
# every timestamp is the last commit's (tools/dist).
NFPM ?= go run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
DIST ?= dist
dist: docs
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct) go run ./tools/dist -version='$(VERSION)' -out='$(DIST)' -nfpm='$(NFPM)'

clean:
	rm -rf websocketd build dist
