#!/usr/bin/env node
// Counts from 1 to 10, one number per message, pausing half a second
// between numbers, then exits.
// Run: websocketd --port=8080 examples/node/count.js

'use strict';

let i = 1;
function tick() {
  process.stdout.write(i + '\n');
  if (i < 10) {
    i++;
    setTimeout(tick, 500);
  }
}
tick();
