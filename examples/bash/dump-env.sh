#!/usr/bin/env bash
# Prints every environment variable as NAME=value, sorted by name, then
# exits. Useful for inspecting the CGI-style variables websocketd sets.
# Run: websocketd --port=8080 examples/bash/dump-env.sh

# env -0 keeps values containing newlines together while sorting.
env -0 | LC_ALL=C sort -z | tr '\0' '\n'
