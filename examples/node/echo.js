#!/usr/bin/env node
// Sends every message received straight back, unchanged.
// Run: websocketd --port=8080 examples/node/echo.js

'use strict';

const readline = require('readline');

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  process.stdout.write(line + '\n');
});
