#!/usr/bin/env node
// Replies "Hello, <name>!" to every message received; exits when the
// connection (stdin) closes.
// Run: websocketd --port=8080 examples/node/greeter.js

'use strict';

function greet(line) {
  process.stdout.write('Hello, ' + line.replace(/\r$/, '') + '!\n');
}

// Only "\n" ends a line, as in every websocketd message (readline would
// also end one at a lone "\r"), so lines are cut here.
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop(); // the start of a line still to come
  lines.forEach(greet);
});
process.stdin.on('end', () => {
  if (pending !== '') greet(pending);
});
