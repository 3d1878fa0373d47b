#!/usr/bin/env ruby
# Prints every environment variable as NAME=value, sorted by name, then
# exits. Useful for inspecting the CGI-style variables websocketd sets.
# Run: websocketd --port=8080 examples/ruby/dump-env.rb

$stdout.sync = true # write at once: stdout is a pipe, which Ruby buffers

ENV.keys.sort.each do |name|
  puts "#{name}=#{ENV[name]}"
end
