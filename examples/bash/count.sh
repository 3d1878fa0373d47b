#!/usr/bin/env bash
# Counts from 1 to 10, one number per message, pausing half a second
# between numbers, then exits.
# Run: websocketd --port=8080 examples/bash/count.sh

for i in $(seq 1 10); do
  echo "$i"
  if [ "$i" -lt 10 ]; then
    sleep 0.5
  fi
done
