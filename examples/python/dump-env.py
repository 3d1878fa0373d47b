#!/usr/bin/env python3
# Prints every environment variable as NAME=value, sorted by name, then
# exits. Useful for inspecting the CGI-style variables websocketd sets.
# Run: websocketd --port=8080 examples/python/dump-env.py

import os

for name in sorted(os.environ):
    print("%s=%s" % (name, os.environ[name]), flush=True)
