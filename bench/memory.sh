#!/bin/sh
# 6. Memory: peak resident set size (VmHWM) of `tether status` and of
# `tether exec` up to its exec (bench/vmhwm.c reads it while the process is
# stopped), against a static `true` and start-stop-daemon --status;
# and the supervision tree's resident cost: `tether supervise` with 10
# children against runsvdir + 10 runsv (VmHWM from /proc/PID/status,
# the children themselves not counted).
# shellcheck source=bench/lib.sh
. "$BENCH_TOP/bench/lib.sh"
REPEAT=$(pick 1 5)
CHILDREN=10
W=$BENCH_WORK/memory
mkdir -p "$W"
export TETHER_STATE_DIR="$BENCH_STATE/memory"
PEAK=$BENCH_BIN/vmhwm

tok=$(token)
"$TETHER" start -n bench -- sleep "$tok" >/dev/null || { row 6 "memory" "error: tether start failed" "-" "-" "-" "-" "-" "-"; exit 1; }
pid=$(pid_of_token "$tok")
track "$pid"
echo "$pid" >"$W/pidfile"

peak() { # CMD...: median KiB over REPEAT runs; nothing if CMD fails
	: >"$W/peak"
	for _ in $(seq "$REPEAT"); do
		_v=$("$PEAK" "$@" 2>/dev/null) || { : >"$W/peak"; break; }
		echo "$_v" | tail -n 1 | cut -d" " -f1 >>"$W/peak"
	done
	median <"$W/peak"
}
kib() { [ -n "$1" ] && echo "$1 KiB" || echo "error"; }
f=$(peak "$BENCH_BIN/true")
s=$(peak "$TETHER" status -n bench)
e=$(peak "$TETHER" exec -n "mem" -- "$BENCH_BIN/true")
cmd 6 "vmhwm $BENCH_BIN/true; vmhwm $TETHER status -n bench; vmhwm $TETHER exec -n mem -- $BENCH_BIN/true; vmhwm start-stop-daemon --status --pidfile F   # VmHWM, median of $REPEAT"
row 6 "tether status, peak RSS" "$(kib "$s")" "static musl true (floor)" "$(kib "$f")" "$(ratio "$s" "$f")" "-" "-"
row 6 "tether exec, peak RSS up to its exec" "$(kib "$e")" "static musl true (floor)" "$(kib "$f")" "$(ratio "$e" "$f")" "-" "-"
if have start-stop-daemon; then
	d=$(peak start-stop-daemon --status --pidfile "$W/pidfile")
	row 6 "tether status vs start-stop-daemon --status, peak RSS" "$(kib "$s")" "start-stop-daemon --status --pidfile F" "$(kib "$d")" "$(ratio "$s" "$d")" "-" "-"
fi

# VmHWM / VmRSS of a process, KiB.
vm() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
pss() { awk '$1 == "Pss:" { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null; }
children_of() { # PID: its live children
	for _p in $(pgrep -P "$1" 2>/dev/null); do alive "$_p" && echo "$_p"; done
}
if have runsvdir; then
	for c in $(seq "$CHILDREN"); do add_service "$W/runit" "c$c" "sleep $(token)"; done
	start_scanner runit "$W/runit"
	rsv=$scanner_pid
	# shellcheck disable=SC2317 # called by wait_until
	up() { [ "$(for c in $(seq "$CHILDREN"); do sv status "$W/runit/c$c"; done 2>/dev/null | grep -c '^run:')" = "$CHILDREN" ]; }
	if wait_until 15 up; then
		sleep 0.5
		runsvs=$(children_of "$rsv")
		hwm=$(vm "$rsv" VmHWM) rss=$(pss "$rsv") n=0
		for p in $runsvs; do
			hwm=$((hwm + $(vm "$p" VmHWM))) rss=$((rss + $(pss "$p"))) n=$((n + 1))
		done
		anchor="runsvdir + $n runsv (Debian's, dynamic glibc): VmHWM sum (Pss sum $rss KiB)"
		anchor_v="$hwm KiB"
	else
		anchor="runsvdir + $CHILDREN runsv" anchor_v="error: services did not come up"
	fi
	stop_scanner runit "$W/runit" "$rsv"
	cmd 6 "runsvdir \$W/runit (10 services: exec sleep TOKEN); sum of VmHWM in /proc/PID/status of runsvdir and each runsv"
else
	anchor="runsvdir + $CHILDREN runsv" anchor_v="n/a (runit missing)"
fi
if "$TETHER" supervise --help >/dev/null 2>&1; then
	set --
	for c in $(seq "$CHILDREN"); do set -- "$@" -- "m$c" sleep "$(token)"; done
	"$TETHER" supervise -n bench-mem "$@" </dev/null >/dev/null 2>"$W/supervise.log" &
	sup=$!
	track "$sup"
	# shellcheck disable=SC2317 # called by wait_until
	sup_up() { for c in $(seq "$CHILDREN"); do "$TETHER" status -n "m$c" >/dev/null 2>&1 || return 1; done; }
	if wait_until 15 sup_up; then
		sleep 0.5
		h=$(vm "$sup" VmHWM)
		row 6 "tether supervise with $CHILDREN children, VmHWM (Pss $(pss "$sup") KiB)" "$h KiB" "$anchor" "$anchor_v" "$(ratio "$h" "${anchor_v% KiB}")" "-" "-"
	else
		row 6 "tether supervise with $CHILDREN children, VmHWM" "error: the children did not come up" "$anchor" "$anchor_v" "-" "-" "-"
	fi
	cmd 6 "tether supervise -n bench-mem -- m1 sleep TOKEN1 ... -- m$CHILDREN sleep TOKEN$CHILDREN &; VmHWM in /proc/PID/status of the supervisor"
	kill -TERM "$sup"
	wait "$sup"
else
	row 6 "tether supervise with $CHILDREN children, VmHWM" "n/a (not built)" "$anchor" "$anchor_v" "-" "-" "-"
fi
note 6 "bench/vmhwm.c runs the command under ptrace and reads VmHWM from /proc/PID/status while it is stopped at its exit, or, for \`tether exec -n mem -- true\`, at the execve that replaces tether with true: tether's own peak up to the exec (VmHWM belongs to one image; exec starts a new one). Not ru_maxrss (/usr/bin/time -v): on this kernel it lags by up to a few hundred KiB (a static true shows 0) and folds in the image exec replaced. The tree row reads VmHWM of the supervisors only (runsvdir and each runsv), never of the supervised \`sleep\`s; Debian's runit is dynamically linked, so each runsv's VmHWM counts the glibc pages it shares with the others, which Pss (smaps_rollup: shared pages divided among their users) does not."
"$TETHER" stop -n bench >/dev/null
exit 0
