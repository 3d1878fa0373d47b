#!/usr/bin/env -S gawk -f
# Sends every message received straight back, unchanged.
# Run: websocketd --port=8080 examples/awk/echo.awk

{
    print
    fflush() # stdout is a pipe: without this the reply waits in a buffer
}
