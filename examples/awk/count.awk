#!/usr/bin/env -S gawk -f
# Counts from 1 to 10, one number per message, pausing half a second
# between numbers, then exits.
# Run: websocketd --port=8080 examples/awk/count.awk

BEGIN {
    for (i = 1; i <= 10; i++) {
        print i
        fflush() # stdout is a pipe: without this the numbers come at the end
        if (i < 10)
            system("sleep 0.5") # awk has no sleep of its own
    }
}
