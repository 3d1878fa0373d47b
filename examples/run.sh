#!/bin/sh
# `make run`: serves every example with three websocketd, as --room is for
# a whole server: the pages and the per-connection examples on PORT, the
# plain rooms on PORT+1 and the JSON rooms on PORT+2 (where rooms.html
# looks for them). From the top folder: sh examples/run.sh ADDRESS PORT
#
# The three are one service: if one exits on its own (its port is taken),
# the script stops the other two and fails, naming it; Ctrl-C or SIGTERM
# stops all three. The script ends only once all three are gone, and they
# stop their programs before they exit.

address=$1
port=$2
case $address in '' | 0.0.0.0 | '[::]') host=localhost ;; *) host=$address ;; esac

servers= # a PID:PORT:WHAT word for each

# serve PORT WHAT ARGS...: starts one websocketd in the background.
serve() {
	serve_port=$1 serve_what=$2
	shift 2
	./websocketd --address="$address" --port="$serve_port" "$@" &
	servers="$servers $!:$serve_port:$serve_what"
}

# end_by SIGNAL: Ctrl-C (INT) reached the servers already, as a terminal
# signals its whole foreground group; a SIGTERM came to the script alone
# (make passes it on to its child), so it goes on to them. Once they are
# gone, the script ends by the same signal, as make and shells expect.
end_by() {
	trap '' INT TERM
	if [ "$1" = TERM ]; then
		for server in $servers; do
			kill -TERM "${server%%:*}" 2>/dev/null
		done
	fi
	wait
	trap - "$1"
	kill -"$1" $$
}

# end_on_exit: a server exited. The others are stopped. One that failed
# (its port taken, say) fails the script, named with its status; servers
# that were stopped (status 0: a signal from elsewhere, or a Ctrl-C that
# this script could not trap because it was started with SIGINT ignored,
# as a background job is) end it quietly.
end_on_exit() {
	trap '' INT TERM
	exited=
	for server in $servers; do
		if kill -0 "${server%%:*}" 2>/dev/null; then
			kill -TERM "${server%%:*}"
		else
			exited="$exited $server"
		fi
	done
	failed=
	for server in $exited; do
		wait "${server%%:*}"
		status=$?
		rest=${server#*:}
		[ "$status" -eq 0 ] && continue
		failed=yes
		echo "make run: websocketd on port ${rest%%:*} (${rest#*:}) exited with status $status" >&2
	done
	wait
	[ -n "$failed" ] || exit 0
	echo "make run: the other servers are stopped too (a port in use? PORT=N serves on N, N+1 and N+2)" >&2
	exit 1
}

trap 'end_by INT' INT
trap 'end_by TERM' TERM

echo "websocketd examples: open http://$host:$port/ in a browser (Ctrl-C stops the servers)"
echo "the rooms page's servers: ws://$host:$((port + 1))/ (plain rooms), ws://$host:$((port + 2))/ (JSON rooms)"
serve "$port" examples --dir=examples --staticdir=examples/html
serve "$((port + 1))" plain-rooms --room --dir=examples/rooms/plain
serve "$((port + 2))" json-rooms --room=json --dir=examples/rooms/json
# Once a second, a look for a server that exited (its port taken, say).
# Polling rather than a SIGCHLD trap: shells differ in whether such a trap
# ends a wait, and bash warns when one runs while the script waits. The
# sleep is waited for, so that Ctrl-C and SIGTERM are handled at once.
while :; do
	for server in $servers; do
		kill -0 "${server%%:*}" 2>/dev/null || end_on_exit
	done
	sleep 1 &
	wait $!
done
