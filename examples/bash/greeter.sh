#!/usr/bin/env bash
# Replies "Hello, <name>!" to every message received; exits when the
# connection (stdin) closes.
# Run: websocketd --port=8080 examples/bash/greeter.sh

while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'} # read drops the "\n" only
  printf 'Hello, %s!\n' "$line"
done
