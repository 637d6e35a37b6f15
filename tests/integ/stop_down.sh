#!/bin/sh
# stop of a supervised daemon that is down at that instant (a crash loop
# between two runs) still goes to its owner, against real tether
# supervise, runit and s6: the owner stops respawning it, stop exits 0
# and the record reads stopped. An owner that cannot be reached is a
# one-line error and 158, the record left as it was.
. "$TETHER_SRC/tests/integ/lib.sh"

# A daemon that dies half a second after each start.
CRASH='sleep 0.5; exit 1'
dead() { T status -n "$1" >/dev/null 2>&1; [ $? -eq 1 ]; }
state() { T status -n "$1" 2>/dev/null | cut -d' ' -f2; }

if T supervise --help >/dev/null 2>&1; then
	# Started without the T function, so that $! is tether itself.
	$TETHER_WRAP "$TETHER" supervise -n cl-sup --respawn-delay 1500 --respawn-max 1500 --give-up 60 -- \
		cl sh -c "$CRASH" -- cl2 sh -c "$CRASH" >/dev/null 2>"$TMP/sup.log" &
	sup=$!
	track "$sup"
	listed() { T supervise -n cl-sup --send list 2>/dev/null | grep -q "^$1 $2 "; }
	wait_until 10 dead cl && wait_until 10 listed cl backoff
	ok $? "supervise: cl crashed and waits for its respawn"
	out=$(T stop -n cl 2>&1); rc=$?
	is "$rc:$out" "0:" "supervise: stop of the crashed child exits 0, silently"
	is "$(state cl)" stopped "supervise: its record reads stopped"
	ok "$(listed cl down; echo $?)" "supervise: the supervisor was told: cl is down, not in backoff"
	p=$(pid_of cl)
	sleep 2
	is "$(pid_of cl):$(state cl)" "$p:stopped" "supervise: no respawn 2 s later (the respawn delay is 1.5 s)"
	out=$(T stop -n cl 2>&1); rc=$?
	is "$rc:$out" "0:" "supervise: a second stop of the stopped child exits 0"

	kill -9 "$sup"
	wait "$sup" 2>/dev/null
	wait_until 10 dead cl2
	T stop -n cl2 >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "$rc" 158 "supervise: stop with the supervisor gone exits 158"
	is "$(wc -l <"$TMP/err" | tr -d ' '):$(cat "$TMP/out")" "1:" "and says why on one line of stderr"
	like "$(cat "$TMP/err")" "*supervise not reachable at $TMP/state/cl-sup.sock*" "naming what it could not reach"
	is "$(state cl2)" dead "supervise: the record is kept, not marked stopped"
else
	skip "supervise: stop of a crashed child" "supervise is not in this build"
fi

sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }  # shell-quote
# crash_service DIR NAME: a run script that records NAME via tether exec
# and crashes half a second later.
crash_service() {
	mkdir -p "$1"
	printf '#!/bin/sh\nexec %s --state-dir %s exec -n %s -- sh -c %s\n' "$(sq "$TETHER")" \
		"$(sq "$TETHER_STATE_DIR")" "$2" "$(sq "$CRASH")" >"$1/run"
	chmod +x "$1/run"
}

# supervisor_test KIND SCAN_CMD STATUS_CMD
supervisor_test() {
	kind=$1 scan=$TMP/$1 name=cl-$1 svstat=$3
	crash_service "$scan/$name" "$name"
	$2 "$scan" >/dev/null 2>&1 &
	track $!
	wait_until 10 dead "$name"
	ok $? "$kind: $name crashed and waits for its respawn"
	is "$(status_of "$name" TETHER_OWNER)" "$kind" "$kind: the record names $kind as the owner"
	out=$(T stop -n "$name" 2>&1); rc=$?
	is "$rc:$out" "0:" "$kind: stop of the crashed daemon exits 0, silently"
	is "$(state "$name")" stopped "$kind: its record reads stopped"
	# The control FIFO is read a moment after stop wrote to it.
	down() { st=$($svstat "$scan/$name" 2>&1); case $st in down*"want up"*) return 1 ;; down*) return 0 ;; esac; return 1; }
	wait_until 2 down
	ok $? "$kind: the supervisor holds it down and no longer wants it up"
	diag "$st"
	p=$(pid_of "$name")
	sleep 1.5
	is "$(pid_of "$name"):$(state "$name")" "$p:stopped" "$kind: no respawn 1.5 s later"
}
if have runsvdir && have sv; then
	supervisor_test runit "runsvdir -P" "sv status"
	pkill -HUP -f "^runsvdir -P $TMP/runit\$"
else
	skip "runit: stop of a crashed daemon" "runsvdir or sv missing (Debian package runit)"
fi
if have s6-svscan && have s6-svstat; then
	supervisor_test s6 s6-svscan s6-svstat
	s6-svscanctl -t "$TMP/s6"
else
	skip "s6: stop of a crashed daemon" "s6-svscan or s6-svstat missing (Debian package s6)"
fi
done_testing
