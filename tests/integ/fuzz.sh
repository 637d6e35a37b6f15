#!/bin/sh
# Each libFuzzer target (tests/fuzz: the CBOR codec; the other parsers of
# untrusted bytes) for FUZZ_SMOKE_SECONDS (15): a smoke run that keeps the
# harnesses building and catches the shallow crashes. `make fuzz` runs
# them longer.
. "$TETHER_SRC/tests/integ/lib.sh"

secs=${FUZZ_SMOKE_SECONDS:-15}
for target in cbor parsers; do
	FUZZ_TARGETS=$target sh "$TETHER_SRC/tests/fuzz/fuzz.sh" "$secs" "$TETHER_BUILD/fuzz" >"$TMP/fuzz.out" 2>&1
	rc=$?
	[ "$rc" -eq 77 ] && skip_all "$(tail -n 1 "$TMP/fuzz.out")"
	sed 's/^/# /' "$TMP/fuzz.out"
	ok "$rc" "fuzz_$target runs $secs s without a crash"
done
done_testing
