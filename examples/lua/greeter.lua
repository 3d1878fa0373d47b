#!/usr/bin/env lua
-- Replies "Hello, <name>!" to every message received; exits when the
-- connection (stdin) closes.
-- Run: websocketd --port=8080 examples/lua/greeter.lua

io.stdout:setvbuf("line") -- write at each newline: stdout is a pipe

for line in io.lines() do
  local name = line:gsub("\r$", "") -- io.lines drops the "\n" only
  print("Hello, " .. name .. "!")
end
