# websocketd: the two commands of the README are `make run` and `make test`.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PORT ?= 8080

.PHONY: build run test check fuzz bench clean

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
	go test -run='^$$' -fuzz='^FuzzUTF8Stream$$' -fuzztime=$(FUZZTIME) ./libwebsocketd
	go test -run='^$$' -fuzz='^FuzzParseConfig$$' -fuzztime=$(FUZZTIME) .

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: the files above need formatting'; exit 1; }
	go vet ./...

bench: build
	go run ./bench

clean:
	rm -f websocketd
