#!/usr/bin/env node
// A presence counter for --room=json: everyone sees how many are here, and
// each client is told its own id.
// Run: websocketd --port=8080 --room=json examples/rooms/json/presence.js

'use strict';

const readline = require('readline');

const here = new Set();

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const event = JSON.parse(line);
  if (event.event === 'join') {
    here.add(event.client);
    send({ to: [event.client], data: 'you are ' + event.client });
  } else if (event.event === 'leave') {
    here.delete(event.client);
  } else {
    return;
  }
  send({ data: here.size + (here.size === 1 ? ' person' : ' people') + ' here' });
});
