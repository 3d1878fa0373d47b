#!/bin/sh
# A chat room in one line: with --room, every client of the path shares
# this one cat, so each message comes back to everyone in the room.
# Run: websocketd --port=8080 --room cat   (or --room --dir=examples/rooms/plain)
exec cat
