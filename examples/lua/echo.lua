#!/usr/bin/env lua
-- Sends every message received straight back, unchanged.
-- Run: websocketd --port=8080 examples/lua/echo.lua

io.stdout:setvbuf("line") -- write at each newline: stdout is a pipe

for line in io.lines() do
  print(line)
end
