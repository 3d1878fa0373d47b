#!/usr/bin/env php
<?php
// Counts from 1 to 10, one number per message, pausing half a second
// between numbers, then exits.
// Run: websocketd --port=8080 examples/php/count.php

// The PHP command line writes every echo at once (no output buffering),
// so nothing waits in a buffer although stdout is a pipe.
for ($i = 1; $i <= 10; $i++) {
    echo $i, "\n";
    if ($i < 10) {
        usleep(500000);
    }
}
