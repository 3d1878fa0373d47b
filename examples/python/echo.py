#!/usr/bin/env python3
# Sends every message received straight back, unchanged.
# Run: websocketd --port=8080 examples/python/echo.py

import sys

for line in sys.stdin:
    print(line[:-1] if line.endswith("\n") else line, flush=True)
