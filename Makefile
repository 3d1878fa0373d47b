# websocketd: the two commands of the README are `make run` and `make test`.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PORT ?= 8080
ADDRESS ?= 127.0.0.1

.PHONY: build run examples test check fuzz bench clean

# A single static binary: no cgo, so it runs on any Linux of the same arch.
build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o websocketd .

# Serves the examples and the page that talks to them, on 127.0.0.1 only:
# dump-env shows the server's environment to whoever connects. ADDRESS=
# and PORT= choose another interface and port.
run: build examples
	@case '$(ADDRESS)' in ''|0.0.0.0|'[::]') host=localhost;; *) host='$(ADDRESS)';; esac; \
	echo "websocketd examples: open http://$$host:$(PORT)/ in a browser (Ctrl-C stops the server)"
	./websocketd --address=$(ADDRESS) --port=$(PORT) --dir=examples --staticdir=examples/html

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

clean:
	rm -f websocketd $(EXAMPLE_NAMES:%=examples/go/%) $(EXAMPLE_NAMES:%=examples/c/%)
