# The parsers fuzzer (state, control socket, markers, supervise config,
# /proc, cgroups, ELF) for FUZZ_SMOKE_SECONDS (15), as fuzz_cbor.sh does
# the CBOR one. `make fuzz` runs both longer.
. "$TETHER_SRC/tests/integ/lib.sh"

secs=${FUZZ_SMOKE_SECONDS:-15}
FUZZ_TARGETS=parsers sh "$TETHER_SRC/tests/fuzz/fuzz.sh" "$secs" "$TETHER_BUILD/fuzz" >"$TMP/fuzz.out" 2>&1
rc=$?
[ "$rc" -eq 77 ] && skip_all "$(tail -n 1 "$TMP/fuzz.out")"
sed 's/^/# /' "$TMP/fuzz.out"
ok "$rc" "fuzz_parsers runs $secs s without a crash"
done_testing
