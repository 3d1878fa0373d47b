#!/usr/bin/env php
<?php
// Replies "Hello, <name>!" to every message received; exits when the
// connection (stdin) closes.
// Run: websocketd --port=8080 examples/php/greeter.php

while (($line = fgets(STDIN)) !== false) {
    echo 'Hello, ', rtrim($line, "\r\n"), "!\n";
}
