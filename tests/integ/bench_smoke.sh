#!/bin/sh
# The benchmark harness cannot rot: bench/run --smoke (what make bench-smoke
# runs) measures every section once with tiny sizes against the tether
# under test and must write one well-formed table. The figures themselves
# are not checked: a smoke run's numbers mean nothing.
. "$TETHER_SRC/tests/integ/lib.sh"
case ${TETHER_BUILD:-} in
*/sanitize | */valgrind) skip_all "checked in the plain build (the harness runs valgrind itself)" ;;
esac
[ -z "${TETHER_WRAP:-}" ] || skip_all "checked in the plain build, not under $TETHER_WRAP"
have musl-gcc || have cc || skip_all "needs a C compiler for bench/*.c"
out=$TMP/RESULTS.md
t0=$(date +%s)
mkdir "$TMP/tmp"
TMPDIR=$TMP/tmp TETHER=$TETHER sh "$TETHER_SRC/bench/run" --smoke --out "$out" >"$TMP/table" 2>"$TMP/log"
rc=$?
diag "bench/run --smoke took $(($(date +%s) - t0)) s"
is "$rc" 0 "bench/run --smoke exits 0"
[ "$rc" -eq 0 ] || tail -n 30 "$TMP/log" | sed 's/^/# /'
ok "$([ -s "$out" ]; echo $?)" "it writes the results file"

is "$(sed -n 1p "$out")" "# tether benchmarks" "the file starts with its title"
for h in "## Machine" "## Results" "## Commands" "## Notes"; do
	grep -qx "$h" "$out"
	ok $? "the file has a '$h' section"
done
like "$(grep '^- uname -a: ' "$out")" '*Linux*' "the machine is named (uname -a)"
grep -q '^- CPU: .*cores' "$out"
ok $? "the CPU model and core count are named"
grep -q '^- Compilers: .*gcc' "$out"
ok $? "the compilers are named"

header="| # | Measurement | tether | Anchor | Anchor value | Ratio | Reference (issue 8) | Goal: result |"
is "$(grep -c '^| # |' "$out")" 1 "exactly one table"
is "$(grep '^| # |' "$out")" "$header" "the table has the eight columns"
# Cells may hold an escaped \|; every row has 8 cells, so 10 fields.
bad=$(sed -n '/^| [0-9]/p' "$out" | sed 's/\\|//g' | awk -F '|' 'NF != 10' | head -n 3)
is "$bad" "" "every row has eight cells"
for n in 1 2 3 4 5 6 7; do
	grep -q "^| $n | " "$out"
	ok $? "section $n has a row"
	grep -q "^### $n\. " "$out"
	ok $? "section $n lists its commands"
done
errors=$(grep '^| [0-9]' "$out" | grep '| error' | head -n 3)
is "$errors" "" "no benchmark reports an error"
is "$(grep '^|' "$TMP/table")" "$(grep '^|' "$out")" "bench/run prints the table it writes"
is "$(ls "$TMP/tmp")" "" "bench/run removes its scratch dir"
done_testing
