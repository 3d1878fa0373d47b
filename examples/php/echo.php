#!/usr/bin/env php
<?php
// Sends every message received straight back, unchanged.
// Run: websocketd --port=8080 examples/php/echo.php

while (($line = fgets(STDIN)) !== false) {
    echo rtrim($line, "\n"), "\n";
}
