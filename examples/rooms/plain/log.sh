#!/bin/sh
# A live log that everyone in the room watches: one tail for all viewers.
# Append to the file to see it: echo hello >> /tmp/websocketd-demo.log
# Run: websocketd --port=8080 --room --dir=examples/rooms/plain
log=/tmp/websocketd-demo.log
[ -e "$log" ] || echo "websocketd demo log: append lines to $log" > "$log"
exec tail -n 20 -F "$log"
