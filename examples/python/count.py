#!/usr/bin/env python3
# Counts from 1 to 10, one number per message, pausing half a second
# between numbers, then exits.
# Run: websocketd --port=8080 examples/python/count.py

import time

for i in range(1, 11):
    print(i, flush=True)
    if i < 10:
        time.sleep(0.5)
