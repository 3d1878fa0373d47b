#!/usr/bin/env bash
# Sends every message received straight back, unchanged.
# Run: websocketd --port=8080 examples/bash/echo.sh

while IFS= read -r line || [ -n "$line" ]; do
  printf '%s\n' "$line"
done
