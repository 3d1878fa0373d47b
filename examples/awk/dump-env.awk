#!/usr/bin/env -S gawk -f
# Prints every environment variable as NAME=value, sorted by name, then
# exits. Useful for inspecting the CGI-style variables websocketd sets.
# gawk adds AWKPATH and AWKLIBPATH to ENVIRON when they are not set.
# Run: websocketd --port=8080 examples/awk/dump-env.awk

BEGIN {
    PROCINFO["sorted_in"] = "@ind_str_asc" # for-in in order of the names
    for (name in ENVIRON)
        print name "=" ENVIRON[name]
}
