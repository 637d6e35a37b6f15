#!/bin/sh
# 2. Status latency: whole-process time of `tether status -n NAME` against
# the status commands of runit (real runsvdir), s6 (real s6-svscan),
# start-stop-daemon, ps, and a static musl `true` (the floor), in one
# hyperfine -N run. Every command asks about a live daemon and exits 0.
# shellcheck source=bench/lib.sh
. "$BENCH_TOP/bench/lib.sh"
RUNS=$(pick 3 300)
WARMUP=$(pick 1 30)
GOAL_FLOOR=1.5
W=$BENCH_WORK/status
mkdir -p "$W"
export TETHER_STATE_DIR="$BENCH_STATE/status"

tok=$(token)
"$TETHER" start -n bench -- sleep "$tok" >/dev/null || { row 2 "tether status" "error: tether start failed" "-" "-" "-" "-" "-" "-"; exit 1; }
pid=$(pid_of_token "$tok")
track "$pid"
echo "$pid" >"$W/pidfile"

set -- floor "$BENCH_BIN/true" tether "$TETHER status -n bench"
anchors=
if have runsvdir && have sv; then
	add_service "$W/runit" svc "sleep $(token)"
	start_scanner runit "$W/runit"
	rsv=$scanner_pid
	if wait_until 10 sh -c "sv status '$W/runit/svc' | grep -q '^run:'"; then
		set -- "$@" sv "sv status $W/runit/svc"
		anchors="$anchors sv"
	else
		say "status: runsvdir did not bring the service up"
	fi
fi
if have s6-svscan && have s6-svstat; then
	add_service "$W/s6" svc "sleep $(token)"
	start_scanner s6 "$W/s6"
	s6p=$scanner_pid
	if wait_until 10 sh -c "s6-svstat '$W/s6/svc' | grep -q '^up'"; then
		set -- "$@" s6 "s6-svstat $W/s6/svc"
		anchors="$anchors s6"
	else
		say "status: s6-svscan did not bring the service up"
	fi
fi
if have start-stop-daemon; then
	set -- "$@" ssd "start-stop-daemon --status --pidfile $W/pidfile"
	anchors="$anchors ssd"
fi
if have ps; then
	set -- "$@" ps "ps -o lstart= -p $pid"
	anchors="$anchors ps"
fi
say "status: hyperfine, $RUNS runs each"
bench_hf 2 "$RUNS" "$WARMUP" "$@" || { row 2 "tether status -n NAME" "error: hyperfine failed" "-" "-" "-" "-" "-" "-"; exit 1; }

t=$(med tether) f=$(med floor)
if [ -z "$t" ]; then
	row 2 "tether status -n NAME" "error: did not exit 0" "-" "-" "-" "-" "-" "-"
	exit 1
fi
r=$(ratio "$t" "$f")
if le "${r%x}" "$GOAL_FLOOR"; then v=pass; else v=FAIL; fi
row 2 "tether status -n NAME, median" "$(ms "$t")" "static musl true (floor)" "$(ms "$f")" "$r" "true 0.25 ms" "within ${GOAL_FLOOR}x of the floor: $v"
label() {
	case $1 in
	sv) echo "sv status DIR (runit, real runsvdir)|sv status 0.72-0.85 ms" ;;
	s6) echo "s6-svstat DIR (real s6-svscan)|s6-svstat 1.0 ms" ;;
	ssd) echo "start-stop-daemon --status --pidfile F|0.83-0.87 ms" ;;
	ps) echo "ps -o lstart= -p PID|ps -o lstart 6.7 ms" ;;
	esac
}
for a in sv s6 ssd ps; do
	l=$(label $a)
	case " $anchors " in *" $a "*) ;; *)
		row 2 "tether status vs ${l%%|*}" "$(ms "$t")" "${l%%|*}" "n/a (not installed or not up)" "-" "${l#*|}" "faster than every anchor"
		continue ;;
	esac
	m=$(med $a)
	if [ -z "$m" ]; then
		row 2 "tether status vs ${l%%|*}" "$(ms "$t")" "${l%%|*}" "error: did not exit 0" "-" "${l#*|}" "faster"
		continue
	fi
	if le "$t" "$m"; then v=pass; else v=FAIL; fi
	row 2 "tether status vs ${l%%|*}" "$(ms "$t")" "${l%%|*}" "$(ms "$m")" "$(ratio "$t" "$m")" "${l#*|}" "faster: $v"
done
# Issue 5: the status round trip over a supervisor's control socket,
# REQUESTS requests on one connection, timed by tether's own client.
if "$TETHER" supervise --help >/dev/null 2>&1; then
	"$TETHER" supervise -n bench-ctl -- ctl-child sleep "$(token)" </dev/null >/dev/null 2>"$W/supervise.log" &
	sup=$!
	track "$sup"
	requests=$(pick 10 10000)
	cmd 2 "tether supervise -n bench-ctl -- ctl-child sleep TOKEN &; tether supervise -n bench-ctl --send status --repeat $requests"
	if wait_until 10 "$TETHER" status -n ctl-child >/dev/null 2>&1 &&
		rtt=$("$TETHER" supervise -n bench-ctl --send status --repeat "$requests" 2>"$W/rtt.err"); then
		# "N status round trips: median 38 us, p99 59 us, max 59 us"
		m=$(echo "$rtt" | sed -n 's/.*median \([0-9.]*\) us.*/\1/p')
		p=$(echo "$rtt" | sed -n 's/.*p99 \([0-9.]*\) us.*/\1/p')
		row 2 "control-socket status round trip, $(commas "$requests") requests, median (p99)" "$m µs ($p µs)" \
			"static musl true (floor)" "$(ms "$f")" "$(ratio "$(awk -v u="$m" 'BEGIN { print u / 1e6 }')" "$f")" "-" "-"
	else
		row 2 "control-socket status round trip" "error: $(tail -n 1 "$W/rtt.err")" "-" "-" "-" "-" "-"
	fi
	kill -TERM "$sup"
	wait "$sup"
else
	row 2 "control-socket status round trip" "n/a (tether supervise not built)" "-" "-" "-" "-" "-"
fi
note 2 "Ratios are tether's median over the anchor's (below 1 is faster). All six commands in one hyperfine -N run (no shell), each asking about a live daemon: tether's record of \`sleep\` started by \`tether start\`, a runit service under a real runsvdir, an s6 service under a real s6-svscan, a pidfile for start-stop-daemon and ps."
[ -n "${rsv:-}" ] && stop_scanner runit "$W/runit" "$rsv"
[ -n "${s6p:-}" ] && stop_scanner s6 "$W/s6" "$s6p"
"$TETHER" stop -n bench >/dev/null
exit 0
