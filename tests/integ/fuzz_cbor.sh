# The CBOR fuzzer for FUZZ_SMOKE_SECONDS (15): a smoke run that keeps the
# harness building and catches the shallow crashes. `make fuzz` runs longer.
. "$TETHER_SRC/tests/integ/lib.sh"

secs=${FUZZ_SMOKE_SECONDS:-15}
FUZZ_TARGETS=cbor sh "$TETHER_SRC/tests/fuzz/fuzz.sh" "$secs" "$TETHER_BUILD/fuzz" >"$TMP/fuzz.out" 2>&1
rc=$?
[ "$rc" -eq 77 ] && skip_all "$(tail -n 1 "$TMP/fuzz.out")"
sed 's/^/# /' "$TMP/fuzz.out"
ok "$rc" "fuzz_cbor runs $secs s without a crash"
done_testing
