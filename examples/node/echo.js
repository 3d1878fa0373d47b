#!/usr/bin/env node
// Sends every message received straight back, unchanged.
// Run: websocketd --port=8080 examples/node/echo.js

'use strict';

// Only "\n" ends a line, as in every websocketd message (readline would
// also end one at a lone "\r"), so lines are cut here.
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop(); // the start of a line still to come
  for (const line of lines) {
    process.stdout.write(line + '\n');
  }
});
process.stdin.on('end', () => {
  if (pending !== '') process.stdout.write(pending + '\n');
});
