#!/usr/bin/env ruby
# Sends every message received straight back, unchanged.
# Run: websocketd --port=8080 examples/ruby/echo.rb

$stdout.sync = true # write at once: stdout is a pipe, which Ruby buffers

$stdin.each_line do |line|
  puts line.chomp("\n")
end
