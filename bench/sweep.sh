#!/bin/sh
# 4. Sweep scaling: `tether list` over N live records against the floor,
# bench/floor_stat.c, which only opens, reads and closes /proc/<pid>/stat
# for the same N pids.
#
# The records: K daemons (`sleep`) started by `tether start`, whose K
# genuine records bench/gen_records.c copies N times under new names (only
# the "name" value changes), so each of the N records names a live process
# with its real pid, start time, boot id and exe identity: `tether list`
# checks each one fully. Record i names daemon i mod K; the floor reads
# the same pids in the same order.
# shellcheck source=bench/lib.sh
. "$BENCH_TOP/bench/lib.sh"
SIZES=$(pick "10 100" "10 100 1000 10000")
DAEMONS=$(pick 4 32)
GOAL=2
W=$BENCH_WORK/sweep
tpl=$BENCH_STATE/sweep-templates
mkdir -p "$W"
pids=

for i in $(seq "$DAEMONS"); do
	tok=$(token)
	TETHER_STATE_DIR=$tpl "$TETHER" start -n "d$i" -- sleep "$tok" >/dev/null ||
		{ row 4 "tether list" "error: tether start failed" "-" "-" "-" "-" "-" "-"; exit 1; }
	p=$(pid_of_token "$tok")
	track "$p"
	pids="$pids $p"
done
cmd 4 "for i in 1..$DAEMONS: TETHER_STATE_DIR=\$S/templates tether start -n d\$i -- sleep TOKEN\$i"

if ! have hyperfine; then
	row 4 "tether list" "n/a (hyperfine missing)" "-" "-" "-" "-" "-" "-"
	exit 0
fi
prev_t='' prev_f='' prev_n=''
for n in $SIZES; do
	dir=$BENCH_STATE/sweep-$n
	mkdir -m 700 "$dir"
	# Template files in the order of $pids: d1 .. dK.
	set --
	for i in $(seq "$DAEMONS"); do set -- "$@" "$tpl/d$i.cbor"; done
	"$BENCH_BIN/gen_records" "$dir" "$n" "$@" || { row 4 "tether list, $n records" "error: gen_records failed" "-" "-" "-" "-" "-" "-"; continue; }
	echo "$pids" | awk -v n="$n" '{ for (i = 0; i < n; i++) print $(i % NF + 1) }' >"$W/pids.$n"
	live=$(TETHER_STATE_DIR=$dir "$TETHER" list | grep -c ' running ')
	if [ "$live" != "$n" ]; then
		row 4 "tether list, $(commas "$n") records" "error: $live of $n records reported running" "-" "-" "-" "-" "-" "-"
		continue
	fi
	runs=$(pick 3 "$(if [ "$n" -ge 10000 ]; then echo 10; else echo 30; fi)")
	say "sweep: $n records, $runs runs"
	cmd 4 "gen_records \$S/sweep-$n $n \$S/templates/d*.cbor"
	export TETHER_STATE_DIR="$dir"
	bench_hf "4.$n" "$runs" 2 list "$TETHER list" floor "$BENCH_BIN/floor_stat $W/pids.$n" \
		floorx "$BENCH_BIN/floor_stat -x $W/pids.$n" ||
		{ row 4 "tether list, $n records" "error: hyperfine failed" "-" "-" "-" "-" "-" "-"; continue; }
	unset TETHER_STATE_DIR
	t=$(med list) f=$(med floor) x=$(med floorx)
	per_t=$(awk -v s="$t" -v n="$n" 'BEGIN { print s / n * 1e6 }')
	per_f=$(awk -v s="$f" -v n="$n" 'BEGIN { print s / n * 1e6 }')
	per_x=$(awk -v s="$x" -v n="$n" 'BEGIN { print s / n * 1e6 }')
	row 4 "tether list, $(commas "$n") live records: per record (whole run / N)" \
		"$(printf '%.2f µs (%s)' "$per_t" "$(ms "$t")")" "floor_stat, same pids" \
		"$(printf '%.2f µs (%s)' "$per_f" "$(ms "$f")")" "$(ratio "$per_t" "$per_f")" "-" "-"
	row 4 "tether list, $(commas "$n") live records, against the stat read plus the exe stat" \
		"$(printf '%.2f µs' "$per_t")" "floor_stat -x, same pids" \
		"$(printf '%.2f µs' "$per_x")" "$(ratio "$per_t" "$per_x")" "-" "-"
	if [ -n "$prev_n" ]; then
		# The marginal cost per record between two sizes: process start-up
		# and the directory scan's fixed part cancel out.
		dn=$((n - prev_n))
		mt=$(awk -v a="$t" -v b="$prev_t" -v d="$dn" 'BEGIN { print (a - b) / d * 1e6 }')
		mf=$(awk -v a="$f" -v b="$prev_f" -v d="$dn" 'BEGIN { print (a - b) / d * 1e6 }')
		r=$(ratio "$mt" "$mf")
		if le "${r%x}" "$GOAL"; then v=pass; else v=FAIL; fi
		lin=$(awk -v a="$t" -v b="$prev_t" -v k="$((n / prev_n))" 'BEGIN { printf "%.1fx the time for %dx the records", a / b, k }')
		row 4 "tether list, marginal per record, $(commas "$prev_n") -> $(commas "$n")" "$(printf '%.2f µs' "$mt")" \
			"floor_stat, same pids" "$(printf '%.2f µs' "$mf")" "$r" "-" "within ${GOAL}x of the floor: $v; $lin"
	fi
	prev_t=$t prev_f=$f prev_n=$n
	rm -rf "$dir"
done
note 4 "floor_stat -x also stats /proc/<pid>/exe per pid, as tether's identity check does (bench/floor_stat.c): against it, what remains is reading and decoding the record and printing the line."
note 4 "Record files are copies of $DAEMONS genuine records (\`tether start\` of $DAEMONS sleepers) renamed by bench/gen_records.c, which rewrites only the \"name\" value in the CBOR map (the schema's outer shape: tag 55799 around a map). Before timing, \`tether list\` must report all N as running. The floor reads /proc/<pid>/stat for the same pid sequence; output goes to /dev/null (hyperfine -N). State dirs: $(df -PT "$BENCH_STATE" | awk 'NR == 2 { print $2 }')."
for i in $(seq "$DAEMONS"); do TETHER_STATE_DIR=$tpl "$TETHER" stop -n "d$i" >/dev/null; done
exit 0
