#!/bin/sh
# 3. Instructions per status: user-space instructions executed by
# `tether status -n NAME` against a static musl `true`, counted by
# valgrind --tool=callgrind on the host and by qemu-mips in single-step
# mode (one logged translation block per guest instruction) for MIPS.
# Neither depends on machine noise; neither counts the kernel.
# shellcheck source=bench/lib.sh
. "$BENCH_TOP/bench/lib.sh"
W=$BENCH_WORK/insns
mkdir -p "$W"
export TETHER_STATE_DIR="$BENCH_STATE/insns"
tok=$(token)
"$TETHER" start -n bench -- sleep "$tok" >/dev/null || { row 3 "instructions" "error: tether start failed" "-" "-" "-" "-" "-" "-"; exit 1; }
pid=$(pid_of_token "$tok")
track "$pid"

callgrind() { # LOG CMD...: instructions callgrind collected
	_log=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" >/dev/null 2>"$_log" || return 1
	sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$_log"
}
if have valgrind; then
	t=$(callgrind "$W/tether.log" "$TETHER" status -n bench) f=$(callgrind "$W/true.log" "$BENCH_BIN/true")
	cmd 3 "valgrind --tool=callgrind --callgrind-out-file=/dev/null $TETHER status -n bench   # and $BENCH_BIN/true; \"Collected\""
	if [ -n "$t" ] && [ -n "$f" ]; then
		row 3 "tether status, instructions, host (callgrind)" "$(commas "$t")" "static musl true" "$(commas "$f")" "$(ratio "$t" "$f")" "-" "-"
	else
		row 3 "tether status, instructions, host (callgrind)" "error: $(tail -n 1 "$W/tether.log")" "static musl true" "${f:-error}" "-" "-" "-"
	fi
else
	row 3 "tether status, instructions, host (callgrind)" "n/a (valgrind missing)" "-" "-" "-" "-" "-"
fi

# qemu-mips: the MIPS tether (make ARCH=mips) and a MIPS true, each run
# with one instruction per translation block and every block execution
# logged; the count of "Trace" lines is the count of guest instructions.
mips_tether=$BENCH_WORK/tether.mips  # size.sh's build
[ -x "$mips_tether" ] || mips_tether=$BENCH_TOP/build/mips/tether
specs=$BENCH_TOP/build/sysroot/mips/lib/musl-gcc.specs
qemu_count() { # LOG CMD...
	_log=$1
	shift
	qemu-mips-static $qemu_step -d nochain,exec -D "$_log" "$@" >/dev/null 2>&1 || return 1
	grep -c '^Trace' "$_log"
	rm -f "$_log"
}
if ! have qemu-mips-static; then
	row 3 "tether status, instructions, mips (qemu)" "n/a (qemu-user-static missing)" "-" "-" "-" "-" "-"
elif [ ! -x "$mips_tether" ] || [ ! -f "$specs" ]; then
	row 3 "tether status, instructions, mips (qemu)" "n/a (no build/mips/tether: make ARCH=mips)" "-" "-" "-" "-" "-"
elif ! mips-linux-gnu-gcc -specs "$specs" -mips32r2 -mtune=24kc -fno-pie -std=c11 -Os -static -o "$W/true.mips" "$BENCH_TOP/bench/true.c"; then
	row 3 "tether status, instructions, mips (qemu)" "error: building a MIPS true failed" "-" "-" "-" "-" "-"
else
	# qemu 7.2 calls the single-step mode -singlestep, qemu 8 -one-insn-per-tb.
	qemu_step=-one-insn-per-tb
	qemu-mips-static -h 2>&1 | grep -q -- '-one-insn-per-tb' || qemu_step=-singlestep
	t=$(qemu_count "$W/qemu.tether" "$mips_tether" status -n bench) f=$(qemu_count "$W/qemu.true" "$W/true.mips")
	cmd 3 "qemu-mips-static $qemu_step -d nochain,exec -D LOG build/mips/tether status -n bench; grep -c '^Trace' LOG   # and a MIPS bench/true.c"
	if [ -n "$t" ] && [ -n "$f" ]; then
		row 3 "tether status, instructions, mips (qemu-mips)" "$(commas "$t")" "static musl true, mips" "$(commas "$f")" "$(ratio "$t" "$f")" "-" "-"
	else
		row 3 "tether status, instructions, mips (qemu-mips)" "error: qemu run failed" "-" "-" "-" "-" "-"
	fi
fi
note 3 "Instruction counts are user space only (the kernel's share of a status, the /proc reads, is not in them): callgrind's Ir on the host; on MIPS, qemu-user in single-step mode logs each executed translation block, one guest instruction each (a branch and its delay slot count as two). The MIPS tether is build/mips/tether from section 1 (the tree's .config); it reads the host's /proc through qemu."
"$TETHER" stop -n bench >/dev/null
exit 0
