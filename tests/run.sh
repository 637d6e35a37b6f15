#!/bin/sh
# Run TAP producers (unit test binaries and tests/integ/*.sh), keep each
# one's output under $TETHER_BUILD/test-logs, show failures, and end with
# the summary line "N passed, N failed, N skipped". Each producer's line
# gives its wall time, to see where the suite's time goes.
# VERBOSE=1 shows every line.
logs=${TETHER_BUILD:-build}/test-logs
mkdir -p "$logs"
pass=0 fail=0 skip=0

for t in "$@"; do
	name=$(basename "$t")
	log=$logs/$name.log
	t0=$(date +%s)
	case $t in
	*.sh) sh "$t" >"$log" 2>&1 ;;
	*) $TETHER_WRAP "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(($(date +%s) - t0))
	counts=$(awk '
		/^ok / && /# [Ss][Kk][Ii][Pp]/ { s++; next }
		/^ok / { p++; next }
		/^not ok / { f++; next }
		/^1\.\.0 # [Ss][Kk][Ii][Pp]/ { s++; skipall = 1; planned = 1; next }
		/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); plan = $1 + 0; planned = 1 }
		END {
			bad = !planned || (!skipall && plan != p + f + s)
			printf "%d %d %d %d\n", p, f, s, bad
		}' "$log")
	read -r p f s bad <<EOF
$counts
EOF
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	elif [ "$bad" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name: missing or wrong plan" >>"$log"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name ($p passed, $f failed, $s skipped; ${secs}s; log: $log)"
		grep -v '^ok ' "$log" | sed 's/^/    /' | head -40
	else
		echo "ok   $name ($p passed, $s skipped; ${secs}s)"
		grep '# SKIP' "$log" | sed 's/^/    /' | head -5
		if [ "${VERBOSE:-0}" = 1 ]; then sed 's/^/    /' "$log"; fi
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
