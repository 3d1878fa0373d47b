#!/usr/bin/env node
// Replies "Hello, <name>!" to every message received; exits when the
// connection (stdin) closes.
// Run: websocketd --port=8080 examples/node/greeter.js

'use strict';

const readline = require('readline');

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  process.stdout.write('Hello, ' + line + '!\n');
});
