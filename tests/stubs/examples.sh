# Helpers for tests/integ/init_*.sh (sourced after lib.sh): the examples
# in rootfs-overlay/, copied with their installed paths rewritten to the
# tether under test and this test's temp dir, and the processes they leave.
examples=$TETHER_SRC/rootfs-overlay

# example SRC DST: rootfs-overlay/SRC to DST, executable, paths rewritten.
example() {
	sed -e "s|/usr/sbin/tether|$TETHER|g" \
		-e "s|/usr/libexec/tether/demo-daemon|$TMP/demo-daemon|g" \
		"$examples/$1" >"$2" && chmod 755 "$2"
}
example usr/libexec/tether/demo-daemon "$TMP/demo-daemon"

# Live processes whose command line names this test's temp dir (the demo
# daemons, supervisors started on a dir under it), one pid a line.
left() {
	for _p in $(pgrep -f "$TMP"); do alive "$_p" && echo "$_p"; done
}
# The demo daemons: their interpreter runs the script (a supervisor whose
# arguments name it is not one).
demo_pids() {
	for _p in $(pgrep -f "^/bin/sh $TMP/demo-daemon"); do alive "$_p" && echo "$_p"; done
}
count() { wc -w | tr -d ' '; }
# children PID: live processes whose parent is PID.
children() {
	for _s in /proc/[0-9]*/stat; do
		_f=$(sed 's/.*) //' "$_s" 2>/dev/null) || continue
		case $_f in Z\ * | X\ *) continue ;; esac
		_p=${_s#/proc/}
		[ "$(echo "$_f" | cut -d' ' -f2)" = "$1" ] && echo "${_p%/stat}"
	done
}
# crash PID: kill a demo daemon as a crash would (KILL), and its sleep
# child with it, which KILL leaves no handler to end (stopped first, so
# it cannot fork one more in between).
crash() {
	kill -STOP "$1"
	for _c in $(children "$1"); do kill "$_c"; done
	kill -KILL "$1"
}
# Is the demo service running (status 0)?
running() { T status -n tether-demo >/dev/null 2>&1; }
not_running() { ! running; }
# ready: there is a demo daemon, and every one has set its TERM trap.
# Its record can come first (tether exec writes it, then execs the
# script; a script's record has no executable to verify), and a TERM
# before the trap kills the daemon without a word in its log.
ready() {
	_d=$(demo_pids)
	[ -n "$_d" ] || return 1
	for _p in $_d; do sig_set "$_p" SigCgt 15 || return 1; done
}
# gone_within SECONDS: wait until none of this test's processes is alive.
none_left() { [ -z "$(left)" ]; }
gone_within() { wait_until "$1" none_left; }

# supervised_example OWNER SRC SUPERVISE: the tether-demo service dir
# rootfs-overlay/SRC/tether-demo under a real supervision tree, started by
# the caller's scan_start DIR and ended by scan_stop DIR. Start, status,
# restart through the supervisor, stop through it, nothing left behind.
supervised_example() {
	owner=$1 sup=$3
	scan=$TMP/scan
	dir=$scan/tether-demo
	mkdir -p "$dir"
	example "$2/tether-demo/run" "$dir/run"
	example "$2/tether-demo/finish" "$dir/finish"
	log=$TMP/supervisor.log
	scan_start "$scan" >"$log" 2>&1 &
	track $!
	wait_until 10 running
	ok $? "$sup starts the daemon through tether exec"
	wait_until 10 ready
	pid=$(status_of tether-demo TETHER_PID)
	track "$pid"
	is "$(status_of tether-demo TETHER_OWNER)" "$owner" "its record names $owner as the owner"
	svpid=$(ppid_of "$pid")
	track "$svpid"
	like "$(tr '\0' ' ' <"/proc/$svpid/cmdline")" "$sup *" "its parent is $sup: exec kept the pid"
	like "$(T detect "$pid")" "owner=$owner dir=$dir*" "detect names the service dir"
	is "$(demo_pids | count)" 1 "one daemon runs"
	sleepers=$(children "$pid")

	T restart -n tether-demo >"$TMP/out" 2>&1
	is $? 0 "restart exits 0"
	like "$(cat "$TMP/out")" "*tether-demo restarted via $owner: pid $pid -> *" "and reports the route and both pids"
	new=$(status_of tether-demo TETHER_PID)
	track "$new"
	ok "$([ -n "$new" ] && [ "$new" != "$pid" ]; echo $?)" "the daemon has a new pid ($pid -> $new)"
	is "$(ppid_of "$new")" "$svpid" "the same $sup started it: no detached spawn by tether"
	wait_until 10 ready
	is "$(demo_pids | count)" 1 "exactly one daemon after the restart"
	ok "$(alive "$pid" && echo 1 || echo 0)" "the old daemon is gone"
	like "$(cat "$log")" "*tether-demo: TERM: restart expected*" "its TERM handler saw the restart marker"
	like "$(cat "$log")" "*tether-demo: finished for a restart*" "./finish saw it too"
	like "$(T status -n tether-demo --json)" '*"restarts":1,*' "the new record counts the restart"
	sleepers="$sleepers $(children "$new")"

	: >"$log"
	T stop -n tether-demo
	is $? 0 "stop exits 0: $sup took the daemon down"
	ok "$(alive "$new" && echo 1 || echo 0)" "the daemon is gone"
	ok "$(alive "$svpid"; echo $?)" "$sup itself was asked, not killed"
	wait_until 15 grep -q 'finished (exit' "$log"
	like "$(cat "$log")" "*tether-demo: TERM: stopping*" "no marker: the daemon's TERM handler saw a stop"
	like "$(cat "$log")" "*tether-demo: finished (exit*stopped or died*" "and so did ./finish"
	sleep 1
	is "$(demo_pids | count)" 0 "$sup did not start it again"
	T status -n tether-demo >/dev/null 2>&1
	is $? 3 "status after stop exits 3 (not running)"

	scan_stop "$scan"
	gone_within 10
	is "$(left | tr '\n' ' ')" "" "the supervision tree is gone and left no process"
	ok "$(alive "$svpid" && echo 1 || echo 0)" "$sup exited"
	bad=
	for s in $sleepers; do alive "$s" && bad="$bad $s"; done
	is "$bad" "" "no child of the daemons outlived them"
}
