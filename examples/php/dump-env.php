#!/usr/bin/env php
<?php
// Prints every environment variable as NAME=value, sorted by name, then
// exits. Useful for inspecting the CGI-style variables websocketd sets.
// Run: websocketd --port=8080 examples/php/dump-env.php

$env = getenv();
ksort($env, SORT_STRING);
foreach ($env as $name => $value) {
    echo $name, '=', $value, "\n";
}
