#!/usr/bin/env python3
# Replies "Hello, <name>!" to every message received; exits when the
# connection (stdin) closes.
# Run: websocketd --port=8080 examples/python/greeter.py

import sys

for line in sys.stdin:
    print("Hello, %s!" % line.rstrip("\r\n"), flush=True)
