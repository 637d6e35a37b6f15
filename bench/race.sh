#!/bin/sh
# 7. Start race: rounds per second of the 8-way start race
# (bench/race.c): 8 concurrent `tether start -n X` of one name, exactly one
# live daemon after it, and no process left behind after `tether stop`.
# shellcheck source=bench/lib.sh
. "$BENCH_TOP/bench/lib.sh"
ROUNDS=$(pick 3 100)
export TETHER_STATE_DIR="$BENCH_STATE/race"
tok=$(token)
say "race: $ROUNDS rounds"
cmd 7 "race $ROUNDS tether racer $tok   # per round: 8 x tether start -n racer -- sleep $tok, count, tether stop -n racer, count"
out=$("$BENCH_BIN/race" "$ROUNDS" "$TETHER" racer "$tok")
rc=$?
# ROUNDS SECONDS RACE_MS_MEDIAN BAD_SURVIVOR_ROUNDS ORPHANS
# shellcheck disable=SC2086
set -- $out
if [ $# -ne 5 ]; then
	row 7 "8-way start race" "error: race exited $rc: $out" "-" "-" "-" "-" "-"
	exit 1
fi
if [ "$4" = 0 ] && [ "$5" = 0 ]; then v="pass: one survivor and no orphan in every round"; else v="FAIL: $4 rounds without exactly one survivor, $5 orphans"; fi
row 7 "8-way start race, rounds per second ($1 rounds)" "$(awk -v r="$1" -v s="$2" 'BEGIN { printf "%.1f rounds/s", r / s }')" \
	"median time of the 8 concurrent starts" "$(printf '%.1f ms' "$3")" "-" "-" "$v"
note 7 "A round is 8 concurrent \`tether start\`, a count of live \`sleep TOKEN\` (must be 1), \`tether stop\`, and a count of live processes left (must be 0; the racer is their child subreaper, so every process tether leaves behind becomes its child; zombies are reaped, never counted)."
exit 0
