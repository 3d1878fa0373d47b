#!/usr/bin/env ruby
# Replies "Hello, <name>!" to every message received; exits when the
# connection (stdin) closes.
# Run: websocketd --port=8080 examples/ruby/greeter.rb

$stdout.sync = true # write at once: stdout is a pipe, which Ruby buffers

$stdin.each_line do |line|
  puts "Hello, #{line.chomp}!" # chomp drops the "\n" and a "\r" before it
end
