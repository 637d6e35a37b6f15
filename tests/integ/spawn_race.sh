#!/bin/sh
# One daemon per name when the commands that spawn race, against real
# processes: a name given twice to one restart restarts once; restarts
# racing on an unsupervised daemon leave one copy, and one that waited for
# the lock while another restarted says so instead of restarting again;
# up racing start leaves one copy. Each race runs with the lock held until
# every racer waits on it (the interleaving that lost a daemon), then
# free. TETHER_RACE_ROUNDS sets the rounds (default 12, 2 under
# valgrind).
. "$TETHER_SRC/tests/integ/lib.sh"
have flock || skip_all "flock (util-linux) missing"

tag="5$$"
if [ -n "$TETHER_WRAP" ]; then ROUNDS=${TETHER_RACE_ROUNDS:-2}; else ROUNDS=${TETHER_RACE_ROUNDS:-12}; fi
ST=$TETHER_STATE_DIR
live_pids() { # live (non-zombie) processes whose argv matches (anchor with ^)
	for _p in $(pgrep -f "$1"); do alive "$_p" && echo "$_p"; done
}
live_count() { live_pids "$1" | wc -l | tr -d ' '; }
none_left() { [ "$(live_count "$1")" -eq 0 ]; }
kill_all() { # kill_all PATTERN: and wait until none is left
	# shellcheck disable=SC2046
	kill $(live_pids "$1") 2>/dev/null
	wait_until 10 none_left "$1"
}
# hold NAME: hold NAME.lock (flock -o: the command does not inherit it)
# until release; waiters NAME N: N processes wait on it.
hold() {
	: >"$ST/$1.lock"
	rm -f "$TMP/go"
	flock -o "$ST/$1.lock" sh -c 'while [ ! -e "$0" ]; do sleep 0.01; done' "$TMP/go" &
	holder=$!
	held() { grep -q "^[0-9]*: FLOCK .* $holder [0-9a-f:]*:$(stat -c %i "$ST/$1.lock") " /proc/locks; }
	wait_until 10 held "$1"
}
release() { : >"$TMP/go"; wait "$holder"; }
waiters() {
	[ "$(grep -c -- "-> FLOCK .*:$(stat -c %i "$ST/$1.lock") " /proc/locks)" -ge "$2" ]
}
mkdir -p "$ST"

# --- one command, one name twice ---
T start -n twice -- sleep "${tag}1"
p0=$(pid_of twice)
out=$(T restart -n twice -n twice 2>&1); rc=$?
is "$rc" 0 "restart -n twice -n twice exits 0"
is "$(echo "$out" | grep -c 'restarted via none')" 1 "and restarts it once: $(echo "$out" | tr '\n' ' ')"
is "$(live_count "^sleep ${tag}1\$")" 1 "one daemon is left"
p1=$(pid_of twice)
ok "$([ "$p1" != "$p0" ] && alive "$p1" && echo 0 || echo 1)" "a new one, the recorded one ($p0 -> $p1)"
kill_all "^sleep ${tag}1\$"

# --- restarts waiting on the lock while another restarts ---
bad_count=0 bad_codes=0 bad_said=0 bad_rec=0
# judge_round PATTERN: after a round of restarts of rr, with their exit
# codes in $codes: one daemon, every restart 0, the record names it.
judge_round() {
	n=$(live_count "$1")
	[ "$n" -eq 1 ] || { bad_count=$((bad_count + 1)); diag "round $r: $n daemons"; }
	[ "$codes" = " 0 0 0" ] || { bad_codes=$((bad_codes + 1)); diag "round $r: exit codes$codes"; }
	[ "$(live_pids "$1")" = "$(pid_of rr)" ] || bad_rec=$((bad_rec + 1))
}
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	T start -n rr -- sleep "${tag}2"
	hold rr
	for i in 1 2 3; do T restart -n rr >"$TMP/rr.$i" 2>&1 & eval "rp$i=\$!"; done
	wait_until 10 waiters rr 3 || diag "round $r: the restarts did not all wait on rr.lock"
	release
	codes=
	# shellcheck disable=SC2154 # rp1..rp3, set by eval
	for p in $rp1 $rp2 $rp3; do wait "$p"; codes="$codes $?"; done
	judge_round "^sleep ${tag}2\$"
	[ "$(cat "$TMP"/rr.* | grep -c 'restarted via none')" -eq 1 ] &&
		[ "$(cat "$TMP"/rr.* | grep -c 'was restarted meanwhile by another caller')" -eq 2 ] ||
		{ bad_said=$((bad_said + 1)); diag "round $r: $(cat "$TMP"/rr.* | tr '\n' ' ')"; }
	kill_all "^sleep ${tag}2\$"
	r=$((r + 1))
done
is "$bad_count" 0 "restarts released together: one daemon every round ($ROUNDS)"
is "$bad_codes" 0 "every restart exits 0"
is "$bad_said" 0 "one restarted it; the two that waited say it was restarted meanwhile"
is "$bad_rec" 0 "the record names the one left"

bad_count=0 bad_codes=0 bad_rec=0
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	T start -n rr -- sleep "${tag}3"
	for i in 1 2 3; do T restart -n rr >/dev/null 2>&1 & eval "rp$i=\$!"; done
	codes=
	for p in $rp1 $rp2 $rp3; do wait "$p"; codes="$codes $?"; done
	judge_round "^sleep ${tag}3\$"
	kill_all "^sleep ${tag}3\$"
	r=$((r + 1))
done
is "$bad_count" 0 "3 free-running restarts: one daemon every round ($ROUNDS)"
is "$bad_codes" 0 "every restart exits 0"
is "$bad_rec" 0 "the record names the one left"

# --- up racing start ---
# up decides under NAME.spawn, start under NAME.lock only: the spawn
# itself, under NAME.lock, must look again.
race_up() { # race_up HELD TAG: 3 ups and 3 starts; sets n, codes
	[ "$1" = held ] && hold u
	for i in 1 2 3; do
		T up -n u -b 1 -- sleep "$2" >/dev/null 2>&1 & eval "up$i=\$!"
		T start -n u -- sleep "$2" >/dev/null 2>&1 & eval "st$i=\$!"
	done
	if [ "$1" = held ]; then
		# The ups wait on NAME.spawn behind the first, which waits here.
		wait_until 10 waiters u 4 || diag "round $r: the racers did not all wait on u.lock"
		release
	fi
	codes=
	# shellcheck disable=SC2154 # up1..st3, set by eval
	for p in $up1 $up2 $up3; do wait "$p"; codes="$codes up:$?"; done
	for p in $st1 $st2 $st3; do wait "$p"; codes="$codes start:$?"; done
	n=$(live_count "^sleep $2\$")
}
for how in held free; do
	bad_count=0 bad_codes=0 bad_rec=0
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		race_up "$how" "${tag}4"
		[ "$n" -eq 1 ] || { bad_count=$((bad_count + 1)); diag "round $r: $n daemons"; }
		# One spawned (start 0 or up 162); the others found it running.
		spawned=$(echo "$codes" | tr ' ' '\n' | grep -c -e '^start:0$' -e '^up:162$')
		others=$(echo "$codes" | tr ' ' '\n' | grep -c -e '^start:152$' -e '^up:0$')
		[ "$spawned:$others" = "1:5" ] || { bad_codes=$((bad_codes + 1)); diag "round $r:$codes"; }
		[ "$(live_pids "^sleep ${tag}4\$")" = "$(pid_of u)" ] || bad_rec=$((bad_rec + 1))
		kill_all "^sleep ${tag}4\$"
		T stop -n u >/dev/null 2>&1
		r=$((r + 1))
	done
	is "$bad_count" 0 "3 ups and 3 starts ($how): one daemon every round ($ROUNDS)"
	is "$bad_codes" 0 "one spawned (start 0 or up 162); the others: start 152, up 0"
	is "$bad_rec" 0 "the record names the one left"
done

done_testing
