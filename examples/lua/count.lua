#!/usr/bin/env lua
-- Counts from 1 to 10, one number per message, pausing half a second
-- between numbers, then exits.
-- Run: websocketd --port=8080 examples/lua/count.lua

io.stdout:setvbuf("line") -- write at each newline: stdout is a pipe

for i = 1, 10 do
  print(i)
  if i < 10 then
    os.execute("sleep 0.5") -- Lua itself has no sleep
  end
end
