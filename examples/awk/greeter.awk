#!/usr/bin/env -S gawk -f
# Replies "Hello, <name>!" to every message received; exits when the
# connection (stdin) closes.
# Run: websocketd --port=8080 examples/awk/greeter.awk

{
    sub(/\r$/, "") # awk drops the "\n" only
    print "Hello, " $0 "!"
    fflush() # stdout is a pipe: without this the reply waits in a buffer
}
