#!/bin/sh
# PID reuse for real: in a new PID namespace, free a recorded daemon's pid
# and hand it (via ns_last_pid) to a different process. status must say
# "reused" (151) and stop must leave the impostor running.
. "$TETHER_SRC/tests/integ/lib.sh"

is_root || skip_all "needs root for unshare --pid and ns_last_pid"
have unshare || skip_all "unshare (util-linux) missing"
unshare --pid --fork --mount-proc true 2>/dev/null || skip_all "cannot create a PID namespace here"

# Runs as PID 1 of a fresh namespace. One round: record a daemon with
# `tether exec`, kill and reap it, make the next pid its pid, start an
# impostor, then ask tether. $1: delay in seconds before the impostor.
cat > "$TMP/inner.sh" <<'EOF'
delay=$1 tether=$2 impostor=$3
sh -c 'exec "$0" exec -n victim -- sleep 1000' "$tether" &
victim=$!
i=0
while [ ! -s "$TETHER_STATE_DIR/victim.cbor" ] || [ "$(cat /proc/$victim/comm)" != sleep ]; do
	sleep 0.01; i=$((i + 1)); [ $i -gt 500 ] && { echo "error=victim never started"; exit 1; }
done
vstart=$(sed 's/.*) //' /proc/$victim/stat | cut -d' ' -f20)
kill -9 $victim; wait $victim 2>/dev/null
[ "$delay" != 0 ] && sleep "$delay"
echo $((victim - 1)) > /proc/sys/kernel/ns_last_pid
$impostor &
imp=$!
istart=$(sed 's/.*) //' /proc/$imp/stat | cut -d' ' -f20)
"$tether" status -n victim >/dev/null 2>&1; st=$?
"$tether" stop -n victim -t 1 >/dev/null 2>&1; sp=$?
if [ -r /proc/$imp/stat ] && [ "$(sed 's/.*) //' /proc/$imp/stat | cut -d' ' -f1)" != Z ]; then al=1; else al=0; fi
echo "victim=$victim impostor=$imp same_tick=$([ "$vstart" = "$istart" ] && echo 1 || echo 0) status=$st stop=$sp impostor_alive=$al"
kill -9 $imp 2>/dev/null
EOF

round() { # round DELAY IMPOSTOR
	unshare --pid --fork --mount-proc sh "$TMP/inner.sh" "$1" "$TETHER" "$2" 2>&1
}

out=$(round 0.05 "sleep 1001")
diag "later tick: $out"
like "$out" "victim=* impostor=*" "the round ran"
v=${out#victim=}; v=${v%% *}; i=${out#*impostor=}; i=${i%% *}
is "$i" "$v" "the impostor received the recorded pid (later tick)"
like "$out" "*status=151 *" "status reports the reused pid (151)"
like "$out" "*stop=151 *" "stop refuses with 151"
like "$out" "*impostor_alive=1*" "stop left the impostor running"

# Same tick: a victim that exits at once and a different program that
# takes its pid at once, driven from C so no shell slows it down; the
# start time alone often cannot tell them apart, the executable must.
# The state dir sits on tmpfs so fsync does not stretch the round.
helper=$TETHER_HELPERS/reuse_pid
if [ -x "$helper" ]; then
	shm=$(mktemp -d /dev/shm/tether-reuse.XXXXXX 2>/dev/null || mktemp -d)
	same=0 rounds=0 good=0
	while [ $rounds -lt 20 ]; do
		out=$(TETHER_STATE_DIR="$shm/s$rounds" unshare --pid --fork --mount-proc "$helper" "$TETHER" 0 tail -f /dev/null 2>&1)
		rounds=$((rounds + 1))
		case $out in *same_tick=1*) same=$((same + 1)) ;; esac
		case $out in *"status=151 stop=151 impostor_alive=1"*) good=$((good + 1)) ;; *) diag "$out" ;; esac
	done
	rm -rf "$shm"
	diag "immediate reuse: $same of $rounds rounds kept the same start time"
	is "$good" "$rounds" "immediate reuse by another program is caught every round"
	if [ "$same" -gt 0 ]; then ok 0 "same-tick reuse occurred ($same times) and was caught every time"
	else skip "same-tick reuse caught" "no round landed in the same tick on this run"; fi
else
	skip "immediate reuse" "helper $helper not built"
	skip "same-tick reuse caught" "helper not built"
fi

done_testing
