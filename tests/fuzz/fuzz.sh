#!/bin/sh
# Build the libFuzzer targets (clang, ASan, UBSan) and run each in turn:
#   cbor     fuzz_cbor.c: the CBOR codec and its printer
#   parsers  fuzz_parsers.c: state records, control frames (payloads,
#            and framing over a socketpair: the server's in fuzzer-chosen
#            chunks, the client's), markers, the supervise config, /proc
#            stat, boot_id, environ and cmdline, cgroup files, ELF
#   sh tests/fuzz/fuzz.sh [SECONDS [OUTDIR]]      (60, build/fuzz)
# Every target runs SECONDS; FUZZ_TARGETS (default "cbor parsers") picks
# them. OUTDIR/TARGET keeps the binary fuzz_TARGET, the growing corpus,
# fuzz.log and any crash-* reproducer (rerun one with:
# OUTDIR/parsers/fuzz_parsers OUTDIR/parsers/crash-...).
# Exit 0 clean, 1 a crash or a build error, 77 no clang that can build
# a libFuzzer target (the reason on the last line).
set -u
secs=${1:-60}
out=${2:-build/fuzz}
targets=${FUZZ_TARGETS:-cbor parsers}
src=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CLANG:-clang}
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
cflags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror"
# What fuzz_parsers.c calls, and what that pulls in (the sup_* backends
# through sup.c's table).
parsers_src="state ctl marker supervise_cfg procfs cgroup elfcheck sup sup_systemd sup_procd sup_runit
	sup_s6 sup_daemontools sup_openrc sup_tether run ident cbor owner fmt msg mem sort sys"

command -v "$cc" >/dev/null 2>&1 || { echo "no $cc on PATH"; exit 77; }
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
printf 'int LLVMFuzzerTestOneInput(const char *p, unsigned long n) { (void)p; (void)n; return 0; }\n' \
	> "$out/probe.c"
if ! "$cc" $san -o "$out/probe" "$out/probe.c" >"$out/probe.log" 2>&1; then
	echo "$cc cannot link a libFuzzer target: $(head -n 1 "$out/probe.log")"
	exit 77
fi
# The src files include config.h: the host defaults, every part on; and
# libc.h, the Makefile's probe, here without _Fork (ASan keeps fork()).
(cd "$src" && awk -f board/kconfig.awk -v mode=config Kconfig board/host/defconfig) >"$out/config" &&
	(cd "$src" && awk -f board/kconfig.awk -v mode=header Kconfig "$out/config") >"$out/config.h" &&
	echo '#define HAVE__FORK 0' >"$out/libc.h" ||
	exit 1

# build TARGET: the fuzzer and its seed corpus in $out/TARGET.
build() {
	d=$out/$1
	mkdir -p "$d/corpus" "$d/seeds" || return 1
	case $1 in
	cbor)
		"$cc" $cflags -g -O1 $san -I"$src/src" -o "$d/fuzz_cbor" "$src/tests/fuzz/fuzz_cbor.c" \
			"$src/src/cbor.c" "$src/src/cbor_diag.c" &&
		"$cc" $cflags -I"$src/tests/unit" -o "$d/seeds-gen" "$src/tests/fuzz/seeds.c" &&
		"$d/seeds-gen" "$d/seeds" ;;
	parsers)
		files=$(for f in $parsers_src; do printf '%s ' "$src/src/$f.c"; done)
		"$cc" $cflags -g -O1 $san -I"$out" -I"$src/src" -o "$d/fuzz_parsers" \
			"$src/tests/fuzz/fuzz_parsers.c" $files &&
		"$cc" $cflags -I"$out" -I"$src/src" -o "$d/seeds-gen" "$src/tests/fuzz/seeds_parsers.c" $files &&
		"$d/seeds-gen" "$d/seeds" "$src" ;;
	*)
		echo "no fuzz target $1 (cbor, parsers)"
		return 1 ;;
	esac
}

# run TARGET for $secs seconds; 1 on a crash.
run() {
	d=$out/$1
	echo "fuzz_$1: $secs s (corpus $d/corpus)"
	# parsers: up to a whole record (RECORD_MAX) and its selector byte,
	# so a record can pass the item limit with known fields alone.
	case $1 in parsers) max_len=16400 ;; *) max_len=4096 ;; esac
	"$d/fuzz_$1" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$d/" "$d/corpus" "$d/seeds" >"$d/fuzz.log" 2>&1
	rc=$?
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$d/fuzz.log"
	echo "corpus: $(ls "$d/corpus" | wc -l) inputs"
	if [ "$rc" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|Test unit written' "$d/fuzz.log" | head -n 5
		return 1
	fi
}

status=0
for t in $targets; do
	build "$t" || exit 1
done
for t in $targets; do
	run "$t" || status=1
done
exit "$status"
