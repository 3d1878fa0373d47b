#!/usr/bin/env bash
# Prints every environment variable as NAME=value, sorted by name, then
# exits. Useful for inspecting the CGI-style variables websocketd sets.
# Run: websocketd --port=8080 examples/bash/dump-env.sh

# env -0 keeps values containing newlines together while sorting; -t= -k1,1
# sorts on the name alone (on whole lines "A1=x" would come before "A=x").
env -0 | LC_ALL=C sort -z -t= -k1,1 | tr '\0' '\n'
