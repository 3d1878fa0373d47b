#!/usr/bin/env node
// Prints every environment variable as NAME=value, sorted by name, then
// exits. Useful for inspecting the CGI-style variables websocketd sets.
// Run: websocketd --port=8080 examples/node/dump-env.js

'use strict';

const env = process.env;
const lines = Object.keys(env)
  .sort()
  .map((name) => name + '=' + env[name] + '\n');
process.stdout.write(lines.join(''));
