# Shared by the benchmark scripts (POSIX sh), sourced after bench/run set:
#   BENCH_TOP    the source tree          BENCH_BIN   the helper programs
#   BENCH_WORK   this run's scratch dir   BENCH_STATE scratch for state dirs
#   BENCH_ROWS   table rows (TSV)         BENCH_CMDS  exact commands
#   BENCH_NOTES  notes under the table    BENCH_SMOKE 1 for tiny sizes
#   TETHER       the tether under test
# A script prints progress on stderr; what it measured goes through row,
# cmd and note. Every process it starts it stops: track PID.

: "${BENCH_ROWS:?run through bench/run}"

# row ID MEASUREMENT VALUE ANCHOR ANCHOR_VALUE RATIO REFERENCE GOAL
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" >>"$BENCH_ROWS"
}
# cmd ID TEXT: a command as run, with the scratch paths shortened.
cmd() {
	printf '%s\t%s\n' "$1" "$(short "$2")" >>"$BENCH_CMDS"
}
note() {
	printf '%s\t%s\n' "$1" "$(short "$2")" >>"$BENCH_NOTES"
}
short() {
	printf '%s' "$1" | sed -e "s|$BENCH_BIN/tether|tether|g" -e "s|$BENCH_BIN/|\$B/|g" -e "s|$BENCH_STATE/|\$S/|g" \
		-e "s|$BENCH_WORK/|\$W/|g" -e "s|$BENCH_TOP/||g"
}
say() { echo "bench: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
smoke() { [ "${BENCH_SMOKE:-0}" = 1 ]; }
# pick SMOKE FULL
pick() { if smoke; then echo "$1"; else echo "$2"; fi; }

# Numbers: every figure goes through awk, printed the same way everywhere.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2fx\n", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.3f ms\n", s * 1000 }'; }
bytes() { awk -v n="$1" 'BEGIN { s = sprintf("%d", n); o = ""
	while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
	print s o " B" }'; }
commas() { bytes "$1" | sed 's/ B$//'; }
# median of the numbers on stdin (one per line)
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# le A B: A <= B, as numbers
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

# hyperfine -N over NAME COMMAND pairs; afterwards med NAME prints the
# median in seconds. A command that does not exit 0 on a trial run is left
# out (med prints nothing) and reported on stderr. The RUNS are made in
# up to HF_ROUNDS rounds, each running every command in turn: a machine
# that slows down for a while slows all of them alike, where one
# hyperfine call would time each command's runs back to back. med is the
# median of the rounds' medians.
# bench_hf ID RUNS WARMUP NAME CMD [NAME CMD]...
HF_ROUNDS=10
bench_hf() {
	_id=$1 _runs=$2 _warm=$3
	shift 3
	_list=$BENCH_WORK/hf.$_id.list
	: >"$_list"
	while [ $# -ge 2 ]; do
		# shellcheck disable=SC2086 # split as hyperfine -N splits it
		if $2 >/dev/null 2>"$BENCH_WORK/hf.err"; then
			printf '%s %s\n' "$1" "$2" >>"$_list"
		else
			say "$1: \`$(short "$2")\` exited $? on its trial run: $(head -c 200 "$BENCH_WORK/hf.err")"
		fi
		shift 2
	done
	[ -s "$_list" ] || return 1
	set --
	while read -r _n _c; do set -- "$@" "$_c"; done <"$_list"
	_rounds=$HF_ROUNDS
	[ "$_runs" -ge "$_rounds" ] || _rounds=$_runs
	_per=$(((_runs + _rounds - 1) / _rounds))
	cmd "$_id" "$_rounds rounds of: hyperfine -N --style none --runs $_per$(for _c in "$@"; do printf " '%s'" "$_c"; done) (the first round after --warmup $_warm)"
	: >"$BENCH_WORK/hf.$_id.rounds"
	_r=0
	while [ "$_r" -lt "$_rounds" ]; do
		_w=0
		[ "$_r" -gt 0 ] || _w=$_warm
		hyperfine -N --style none --warmup "$_w" --runs "$_per" --export-csv "$BENCH_WORK/hf.$_id.csv" "$@" \
			>"$BENCH_WORK/hf.$_id.log" 2>&1 || {
			say "hyperfine failed: $(tail -n 3 "$BENCH_WORK/hf.$_id.log")"
			return 1
		}
		# The CSV (command,mean,stddev,median,...) lists them in the order given.
		awk -F, 'FNR > 1 { print FNR - 1, $4 }' "$BENCH_WORK/hf.$_id.csv" >>"$BENCH_WORK/hf.$_id.rounds"
		_r=$((_r + 1))
	done
	: >"$BENCH_WORK/hf.$_id.med"
	_i=0
	while read -r _n _c; do
		_i=$((_i + 1))
		printf '%s %s\n' "$_n" "$(awk -v i="$_i" '$1 == i { print $2 }' "$BENCH_WORK/hf.$_id.rounds" | median)" \
			>>"$BENCH_WORK/hf.$_id.med"
	done <"$_list"
	_hf_last=$_id
}

med() { awk -v n="$1" '$1 == n { print $2 }' "$BENCH_WORK/hf.${2:-$_hf_last}.med"; }

# Processes this script started, stopped at exit (by pid, never by name).
_tracked=
track() { _tracked="$_tracked $*"; }
stop_tracked() {
	for _p in $_tracked; do kill -TERM "$_p" 2>/dev/null; done
	_tracked=
}
trap stop_tracked EXIT

# wait_until SECONDS CMD...: poll CMD every 20 ms until it succeeds.
wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.02
	done
}

# A live process (not a zombie: this machine's PID 1 reaps late).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}
dead() { ! alive "$1"; }

# pid_of_token TOKEN: the live `sleep TOKEN` (tokens are unique per run).
pid_of_token() {
	for _p in $(pgrep -x -f "(.*/)?sleep $1" 2>/dev/null || scan_sleep "$1"); do
		alive "$_p" && { echo "$_p"; return 0; }
	done
	return 1
}
scan_sleep() { # without procps: every `sleep TOKEN` or `/path/sleep TOKEN`
	for _d in /proc/[0-9]*; do
		case $( { tr '\0' ' ' <"$_d/cmdline"; } 2>/dev/null) in
		"sleep $1 " | */"sleep $1 ") echo "${_d#/proc/}" ;;
		esac
	done
}

# A fresh token: `sleep TOKEN` names one benchmark daemon. The counter
# lives in a file, so $(token) in a subshell still counts.
token() {
	_n=$(cat "$BENCH_WORK/token" 2>/dev/null || echo 0)
	echo $((_n + 1)) >"$BENCH_WORK/token"
	echo $((9000000 + $$ % 1000 * 1000 + _n + 1))
}

# Supervision trees. scan_dir KIND creates a scan dir; add_service DIR NAME
# RUNLINE adds a service whose ./run is "#!/bin/sh\nexec RUNLINE".
add_service() {
	mkdir -p "$1/$2"
	printf '#!/bin/sh\nexec %s\n' "$3" >"$1/$2/run"
	chmod 755 "$1/$2/run"
}
# start_scanner runit|s6 DIR: runsvdir or s6-svscan on DIR, in the
# background; its pid in $scanner_pid.
start_scanner() {
	case $1 in
	runit) runsvdir "$2" </dev/null >"$2.log" 2>&1 & ;;
	s6) s6-svscan "$2" </dev/null >"$2.log" 2>&1 & ;;
	esac
	scanner_pid=$!
	track "$scanner_pid"
}
# stop_scanner runit|s6 DIR PID: bring the tree down and wait for it.
stop_scanner() {
	case $1 in
	runit) kill -HUP "$3" 2>/dev/null ;;  # runsvdir: TERM every runsv, then exit
	s6) s6-svscanctl -t "$2" 2>/dev/null || kill -TERM "$3" 2>/dev/null ;;
	esac
	wait_until 10 dead "$3" || kill -KILL "$3" 2>/dev/null
	wait "$3" 2>/dev/null
}
