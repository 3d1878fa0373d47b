#!/usr/bin/env lua
-- Prints every environment variable as NAME=value, sorted by name, then
-- exits. Useful for inspecting the CGI-style variables websocketd sets.
-- Run: websocketd --port=8080 examples/lua/dump-env.lua

-- Lua can read one variable (os.getenv) but not list them all, so the
-- list comes from Linux's /proc/self/environ, or else from env(1).
local function read_environment()
  local file = io.open("/proc/self/environ", "rb")
  if file then
    local text = file:read("*a")
    file:close()
    return text, "\0"
  end
  local env = io.popen("env")
  local text = env:read("*a")
  env:close()
  return text, "\n"
end

local text, separator = read_environment()
local names, values = {}, {}
local start = 1
while start <= #text do
  local stop = text:find(separator, start, true) or #text + 1
  local name, value = text:sub(start, stop - 1):match("^([^=]*)=(.*)$")
  if name then
    names[#names + 1] = name
    values[name] = value
  end
  start = stop + 1
end
table.sort(names)
for _, name in ipairs(names) do
  io.write(name, "=", values[name], "\n")
end
