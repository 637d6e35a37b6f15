#!/bin/sh
# One daemon per socket, with real processes: an 8-way start race (exactly
# one survivor, one socket owner, no orphans, every round); a SIGSTOPped
# owner reclaimed; a live owner whose record went missing reconciled, not
# replaced; a stale-config owner stopped before the rebind; a killed owner's
# orphaned child stopped before the new one starts its own.
# TETHER_RACE_ROUNDS sets the rounds (default 100, 3 under valgrind); by
# default the race also stops after TETHER_RACE_SECONDS (50), so that slow
# builds (ASan) keep the test near a minute; the rounds run are reported.
. "$TETHER_SRC/tests/integ/lib.sh"
T supervise --help >/dev/null 2>&1 || skip_all "supervise is not in this build"

tag="6$$"
S=$TMP/one.sock
if [ -n "$TETHER_WRAP" ]; then
	ROUNDS=${TETHER_RACE_ROUNDS:-3} PROBE=5000 SETTLE=90
else
	ROUNDS=${TETHER_RACE_ROUNDS:-100} PROBE=500 SETTLE=20
fi
CAP_MS=$((${TETHER_RACE_SECONDS:-50} * 1000))
[ -n "$TETHER_RACE_ROUNDS" ] && CAP_MS=999999999
# lib.sh's alive without forks: the rounds below call it thousands of times.
quick_alive() {
	read -r _stat 2>/dev/null <"/proc/$1/stat" || return 1
	_stat=${_stat##*) }
	case ${_stat%% *} in Z | X | x) return 1 ;; esac
}
live_pids() { # live (non-zombie) processes whose argv matches (anchor with ^)
	for _p in $(pgrep -f "$1"); do quick_alive "$_p" && echo "$_p"; done
}
live_count() { live_pids "$1" | wc -l | tr -d ' '; }
owner_pid() { T supervise -n one --sock "$S" --send status 2>/dev/null | sed -n 's/^ok pid=\([0-9]*\).*/\1/p'; }
owner_is() { [ "$(owner_pid)" = "$1" ]; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Started without the T function, so that $! is tether itself.
start_one() { # start_one CHILD-TAG: background supervisor, pid in $started
	$TETHER_WRAP "$TETHER" supervise -n one --sock "$S" --probe-timeout "$PROBE" --grace 2 \
		-- w sleep "$1" >>"$TMP/out" 2>>"$TMP/log" &
	started=$!
	track "$started"
}
one_left() { # exactly one of $@ alive
	_live=0
	for _p in "$@"; do quick_alive "$_p" && _live=$((_live + 1)); done
	[ "$_live" -le 1 ]
}

# --- the race ---
bad_survivors=0 bad_owner=0 bad_children=0 bad_codes=0 bad_after=0
t0=$(now_ms)
r=0
while [ "$r" -lt "$ROUNDS" ] && [ $(($(now_ms) - t0)) -lt "$CAP_MS" ]; do
	pids=
	i=0
	while [ $i -lt 8 ]; do
		start_one "${tag}9"
		pids="$pids $started"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait_until "$SETTLE" one_left $pids
	survivor=
	n=0
	for p in $pids; do quick_alive "$p" && survivor=$p && n=$((n + 1)); done
	[ "$n" -eq 1 ] || { bad_survivors=$((bad_survivors + 1)); diag "round $r: $n supervisors alive"; }
	owner=$(owner_pid)
	[ -n "$survivor" ] && [ "$owner" = "$survivor" ] ||
		{ bad_owner=$((bad_owner + 1)); diag "round $r: socket owner '$owner', survivor '$survivor'"; }
	kids=$(live_pids "^sleep ${tag}9")
	[ "$(echo $kids | wc -w)" -eq 1 ] && [ "$(ppid_of "$kids")" = "$survivor" ] ||
		{ bad_children=$((bad_children + 1)); diag "round $r: children '$kids'"; }
	for p in $pids; do quick_alive "$p" && kill -TERM "$p"; done
	codes=
	for p in $pids; do
		wait "$p"
		codes="$codes $?"
	done
	[ "$(echo $codes | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "0 152 152 152 152 152 152 152 " ] ||
		{ bad_codes=$((bad_codes + 1)); diag "round $r: exit codes$codes"; }
	[ "$(live_count "^sleep ${tag}9")" -eq 0 ] && [ ! -e "$S" ] ||
		{ bad_after=$((bad_after + 1)); diag "round $r: left behind after TERM"; }
	r=$((r + 1))
done
t1=$(now_ms)
rate=$((r * 10000 / (t1 - t0 + 1)))
diag "$r rounds of 8 concurrent starts in $((t1 - t0)) ms ($((rate / 10)).$((rate % 10)) rounds/s)"
[ "$r" -lt "$ROUNDS" ] && diag "stopped after ${TETHER_RACE_SECONDS:-50} s of $ROUNDS rounds (TETHER_RACE_ROUNDS forces all)"
is "$bad_survivors" 0 "every round: exactly one supervisor survives"
is "$bad_owner" 0 "every round: the survivor owns the socket (it answers status)"
is "$bad_children" 0 "every round: exactly one child, the survivor's own (no orphans)"
is "$bad_codes" 0 "every round: one ran (exit 0 after TERM), seven exited 152"
is "$bad_after" 0 "every round: nothing left once the survivor is stopped"

# --- a hung (SIGSTOPped) owner is reclaimed ---
start_one "${tag}1"
old=$started
wait_until 10 owner_is "$old"
oldkid=$(live_pids "^sleep ${tag}1")
kill -STOP "$old"
t0=$(now_ms)
start_one "${tag}1"
new=$started
wait_until 10 owner_is "$new"
rc=$?
t1=$(now_ms)
kill -CONT "$old" 2>/dev/null
ok $rc "a new start reclaims the socket of a SIGSTOPped owner"
diag "SIGSTOPped owner reclaimed in $((t1 - t0)) ms (probe deadline $PROBE ms)"
if [ -z "$TETHER_WRAP" ]; then
	# The probe deadline, not the lock's (probe + 2 grace + more): a
	# bound loose enough for a loaded machine that still tells them apart.
	ok "$([ $((t1 - t0)) -lt 4500 ] && echo 0 || echo 1)" "within the probe deadline, not the lock's ($((t1 - t0)) ms)"
else
	skip "within the probe deadline ($((t1 - t0)) ms)" "timing is not measured under valgrind"
fi
wait_until 15 sh -c "! kill -0 $old 2>/dev/null || [ \"\$(sed 's/.*) //' /proc/$old/stat | cut -c1)\" = Z ]"
ok "$(alive "$old" && echo 1 || echo 0)" "the hung owner was stopped by identity"
ok "$(alive "$oldkid" && echo 1 || echo 0)" "and its child with it"
newkid=$(live_pids "^sleep ${tag}1")
is "$(echo $newkid | wc -w)" 1 "exactly one child afterwards"
is "$(ppid_of "$newkid")" "$new" "the new owner's"

# --- a live owner whose record is missing is reconciled, not replaced ---
rm -f "$TMP/state/one.cbor"
out=$(T supervise -n one --sock "$S" --probe-timeout "$PROBE" -- w sleep "${tag}1" 2>"$TMP/err"); rc=$?
is "$rc" 152 "a start while a healthy owner runs exits 152"
is "$out" "$new" "printing the owner's pid"
like "$(cat "$TMP/err")" "*record one was missing and is rewritten from its status*" "saying it reconciled"
is "$(pid_of one)" "$new" "the record names the owner again"
ok "$(alive "$new" && echo 0 || echo 1)" "the owner was not replaced"
is "$(live_pids "^sleep ${tag}1")" "$newkid" "nor its child"
out=$(T supervise -n one --sock "$S" --probe-timeout "$PROBE" -- w sleep "${tag}1" 2>/dev/null); rc=$?
is "$rc:$out" "152:$new" "with the record in place: 152 and the pid, nothing rewritten"

# --- a healthy owner that answers late is not taken for hung ---
# The default probe deadline (2 s) outlasts a busy second: an owner held
# for 1 s still answers the second start, which exits 152 and stops
# nothing. (timeout: a reclaiming start would run on as the new owner.)
kill -STOP "$new"
(sleep 1; kill -CONT "$new") &
cont=$!
out=$(timeout 15 $TETHER_WRAP "$TETHER" supervise -n one --sock "$S" -- w sleep "${tag}1" 2>/dev/null); rc=$?
wait "$cont"
is "$rc:$out" "152:$new" "an owner held for 1 s is not reclaimed with the default probe: 152 and its pid"
ok "$(alive "$new" && echo 0 || echo 1)" "it keeps running"
is "$(live_pids "^sleep ${tag}1")" "$newkid" "and so does its child"

# --- a live owner with a stale config is stopped before the rebind ---
start_one "${tag}2"
newer=$started
wait_until 10 owner_is "$newer"
ok $? "a start with another config takes the socket over"
like "$(cat "$TMP/log")" "*stopping pid $new: it runs config * this start has *" "after stopping the stale owner"
ok "$(alive "$new" && echo 1 || echo 0)" "the stale owner is gone"
is "$(live_count "^sleep ${tag}1")" 0 "and so is its child"
is "$(live_count "^sleep ${tag}2")" 1 "the new config's child runs"
wait "$new"
is $? 0 "the stale owner shut down cleanly (exit 0), not killed"

# --- a killed owner: its socket stale, its child orphaned ---
orphan=$(live_pids "^sleep ${tag}2")
kill -9 "$newer"
wait "$newer" 2>/dev/null
ok "$([ -S "$S" ] && alive "$orphan" && echo 0 || echo 1)" "a KILLed owner leaves its socket and an orphaned child"
start_one "${tag}2"
last=$started
wait_until 10 owner_is "$last"
ok $? "a new start binds over the stale socket"
ok "$(alive "$orphan" && echo 1 || echo 0)" "after stopping the orphan by identity (from its record)"
is "$(live_count "^sleep ${tag}2")" 1 "so exactly one child runs"
kill -TERM "$last"
wait "$last"
is $? 0 "the last owner shuts down cleanly"

done_testing
