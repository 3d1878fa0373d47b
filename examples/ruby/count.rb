#!/usr/bin/env ruby
# Counts from 1 to 10, one number per message, pausing half a second
# between numbers, then exits.
# Run: websocketd --port=8080 examples/ruby/count.rb

$stdout.sync = true # write at once: stdout is a pipe, which Ruby buffers

(1..10).each do |i|
  puts i
  sleep 0.5 if i < 10
end
