#!/bin/sh
# Build the CBOR fuzzer (clang, libFuzzer, ASan, UBSan) and run it.
#   sh tests/fuzz/fuzz.sh [SECONDS [OUTDIR]]      (60, build/fuzz)
# OUTDIR keeps the binary, the growing corpus, fuzz.log and any crash-*
# reproducer (rerun one with: OUTDIR/fuzz_cbor OUTDIR/crash-...).
# Exit 0 clean, 1 a crash or a build error, 77 no clang that can build
# a libFuzzer target (the reason on the last line).
set -u
secs=${1:-60}
out=${2:-build/fuzz}
src=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CLANG:-clang}
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

command -v "$cc" >/dev/null 2>&1 || { echo "no $cc on PATH"; exit 77; }
mkdir -p "$out/corpus" "$out/seeds" || exit 1
printf 'int LLVMFuzzerTestOneInput(const char *p, unsigned long n) { (void)p; (void)n; return 0; }\n' \
	> "$out/probe.c"
if ! "$cc" $san -o "$out/probe" "$out/probe.c" >"$out/probe.log" 2>&1; then
	echo "$cc cannot link a libFuzzer target: $(head -n 1 "$out/probe.log")"
	exit 77
fi

"$cc" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 $san -I"$src/src" \
	-o "$out/fuzz_cbor" "$src/tests/fuzz/fuzz_cbor.c" "$src/src/cbor.c" "$src/src/cbor_diag.c" || exit 1
"$cc" -std=c11 -Wall -Wextra -Werror -I"$src/tests/unit" -o "$out/seeds-gen" "$src/tests/fuzz/seeds.c" &&
	"$out/seeds-gen" "$out/seeds" || exit 1

echo "fuzzing for $secs s (corpus $out/corpus)"
"$out/fuzz_cbor" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$out/" "$out/corpus" "$out/seeds" >"$out/fuzz.log" 2>&1
rc=$?
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$out/fuzz.log"
echo "corpus: $(ls "$out/corpus" | wc -l) inputs"
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|Test unit written' "$out/fuzz.log" | head -n 5
	exit 1
fi
