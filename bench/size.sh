#!/bin/sh
# 1. Size: the stripped static size of tether per target and per board
# (`make size`), two budget builds for MIPS (every feature; minimal), the
# libc floor (an empty main, a printf hello) per target, and BusyBox with
# only start-stop-daemon, rebuilt from Debian's busybox source package.
# Sizes are of a stripped copy, as cross/size.sh measures them.
# shellcheck source=bench/lib.sh
. "$BENCH_TOP/bench/lib.sh"
cd "$BENCH_TOP" || exit 1
: "${MAKE:=make}"
out=build/bench/size
mkdir -p "$out"
MIPS_BUDGET=65536
MINIMAL_BUDGET=32768
REF_MIPS_FULL="BusyBox 1.35 SSD-only 92,772 B; dpkg start-stop-daemon 112,652 B; runsv 34,720 B"
REF_MIPS_MIN="runit sv 30,984 B; s6-svc 21,836 B; s6-svstat 27,744 B"
REF_MIPS_FLOOR="empty main 5,452 B; printf hello 9,500 B"

targets=$(awk '!/^#/ && NF { print $1 }' cross/targets)
triplet() { awk -v a="$1" '$1 == a { print $2 }' cross/targets; }
cpu_flags() { awk -v a="$1" '$1 == a { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' cross/targets; }
strip_for() { if [ "$1" = host ]; then echo strip; else echo "$(triplet "$1")-strip"; fi; }
have_arch() { [ "$1" = host ] || have "$(triplet "$1")-gcc"; }
stripped() { # ARCH BINARY: bytes of a stripped copy
	"$(strip_for "$1")" -o "$2.stripped" "$2" && wc -c <"$2.stripped" | tr -d ' '
}

# The compiler and flags tether's Makefile uses for ARCH.
cc_for() {
	if [ "$1" = host ]; then
		if have musl-gcc; then echo musl-gcc; else echo cc; fi
	else
		echo "$(triplet "$1")-gcc -specs $BENCH_TOP/build/sysroot/$1/lib/musl-gcc.specs $(cpu_flags "$1") -Wl,-z,norelro"
	fi
}
FLOOR_FLAGS="-std=c11 -Os -ffunction-sections -fdata-sections -Wl,--gc-sections -static"

# floor ARCH PROGRAM: build bench/PROGRAM.c as tether is built; print bytes.
floor() {
	mkdir -p "$out/floor/$1"
	# shellcheck disable=SC2086 # cc_for is a command line
	$(cc_for "$1") $FLOOR_FLAGS -o "$out/floor/$1/$2" "bench/$2.c" 2>>"$BENCH_WORK/size.floor.log" &&
		stripped "$1" "$out/floor/$1/$2"
}

# config_from DEFCONFIG DIR: DIR/.config, rewritten only when it changes.
config_from() {
	mkdir -p "$2"
	awk -f board/kconfig.awk -v mode=config Kconfig "$1" >"$2/.config.tmp" || return 1
	if cmp -s "$2/.config.tmp" "$2/.config"; then rm -f "$2/.config.tmp"; else mv "$2/.config.tmp" "$2/.config"; fi
}

# build_tether ARCH DEFCONFIG DIR [MAKE VARIABLES]: tether for ARCH with
# DEFCONFIG in DIR.
build_tether() {
	_a=$1 _d=$2 _o=$3
	shift 3
	config_from "$_d" "$_o" &&
		$MAKE --no-print-directory O="$_o" KCONFIG_CONFIG="$_o/.config" ARCH="$_a" "$@" "$_o/tether" >"$_o/build.log" 2>&1
}

if smoke; then
	b=$(stripped host "$TETHER")
	f=$(floor host true)
	row 1 "tether stripped, host (the build under test)" "$(bytes "$b")" "empty main, host" "$(bytes "$f")" "$(ratio "$b" "$f")" "-" "-"
	cmd 1 "strip -o tether.stripped $TETHER; wc -c"
	row 1 "budgets (MIPS default < 64 KiB, minimal < 32 KiB)" "n/a (smoke: no cross builds)" "-" "-" "-" "-" "-"
	exit 0
fi

# Every target as `make ARCH=...` builds it (the tree's .config), then
# `make size`, which adds every board.
if cmp -s .config "$out/defaults.config" 2>/dev/null || {
	awk -f board/kconfig.awk -v mode=config Kconfig board/host/defconfig >"$out/defaults.config" &&
		cmp -s .config "$out/defaults.config"
}; then treecfg="Kconfig defaults"; else treecfg="the tree's own .config, not the defaults"; fi
for a in host $targets; do
	if ! have_arch "$a"; then
		row 1 "tether stripped, $a (make ARCH=$a)" "n/a ($(triplet "$a")-gcc missing)" "-" "-" "-" "-" "-"
		continue
	fi
	say "size: make ARCH=$a"
	cmd 1 "make ARCH=$a"
	if $MAKE --no-print-directory -j"$(nproc)" ARCH="$a" >"$BENCH_WORK/size.make-$a.log" 2>&1; then
		cp "build/$a/tether" "$BENCH_WORK/tether.$a"  # for insns.sh, whatever happens to build/
	else
		say "size: make ARCH=$a failed: $(tail -n 5 "$BENCH_WORK/size.make-$a.log")"
	fi
done
say "size: make size"
cmd 1 "make size   # prints ARCH NAME BYTES per built target and per board/*/defconfig"
$MAKE --no-print-directory -j"$(nproc)" size >"$BENCH_WORK/size.out" 2>"$BENCH_WORK/size.err" ||
	say "size: make size reported failures: $(tail -n 5 "$BENCH_WORK/size.err")"

# The budgets, on MIPS big-endian (the ath79 routers): every feature
# (Kconfig defaults) and the minimal board's config.
floor_of() { eval "echo \${floor_$1:-}"; }  # ARCH: the empty main's bytes
for a in host $targets; do
	have_arch "$a" && eval "floor_$a=\$(floor \"\$a\" true)"
done
budget() { # LABEL DEFCONFIG LIMIT REFERENCE ANCHOR ANCHOR_BYTES [MIPS16=1]
	dir=$out/$(basename "$(dirname "$2")")-mips${7:+16}
	cmd 1 "make O=$dir KCONFIG_CONFIG=$dir/.config ARCH=mips${7:+ $7} $dir/tether   # .config from $2"
	if ! build_tether mips "$2" "$dir" ${7:+"$7"}; then
		row 1 "tether stripped, mips, $1 (bench build)" "error: build failed ($dir/build.log)" "$5" "${6:+$(bytes "$6")}" "-" "$4" "< $(commas "$3") B"
		return
	fi
	b=$(stripped mips "$dir/tether")
	if le "$b" "$(($3 - 1))"; then v=pass; else v=FAIL; fi
	row 1 "tether stripped, mips, $1 (bench build)" "$(bytes "$b")" "$5" "${6:+$(bytes "$6")}" "$(ratio "$b" "$6")" "$4" "< $(commas "$3") B: $v"
	# What a squashfs image stores is the compressed file, not the file.
	[ -z "$7" ] || return 0
	z=$(xz_bytes "$dir/tether.stripped") || return 0
	case $2 in
	*/minimal/*) za=$(xz_bytes "$out/floor/mips/true.stripped") zan="empty main, mips, xz -9" ;;
	*) za= zan="BusyBox SSD-only, mips, xz -9"
	   [ "$bb_arch" = mips ] && za=$(xz_bytes "$bb_obj") ;;
	esac
	row 1 "tether stripped, mips, $1, xz -9 (flash cost in a squashfs image)" "$(bytes "$z")" "$zan" "${za:+$(bytes "$za")}" "$(ratio "$z" "$za")" "-" "-"
}
# xz_bytes FILE: bytes of FILE compressed as OpenWrt's squashfs does (xz).
xz_bytes() { have xz && [ -f "$1" ] && xz -9 -c "$1" | wc -c | tr -d ' '; }

busybox_ssd() { # prints "ARCH BYTES" of BusyBox with only start-stop-daemon
	sh bench/busybox.sh "$BENCH_TOP" "$out/busybox" >"$BENCH_WORK/size.busybox.log" 2>&1 &&
		tail -n 1 "$BENCH_WORK/size.busybox.log"
}
say "size: BusyBox start-stop-daemon only, from Debian's source package"
bb=$(busybox_ssd) || { say "size: busybox build failed: $(tail -n 5 "$BENCH_WORK/size.busybox.log")"; bb=; }
bb_arch=${bb%% *} bb_bytes=${bb#* }
bb_obj=$out/busybox/$bb_arch/busybox.stripped
cmd 1 "sh bench/busybox.sh . build/bench/size/busybox   # apt-get source busybox; allnoconfig + STATIC LFS SH_IS_NONE START_STOP_DAEMON; strip -o"
if have_arch mips; then
	if [ "$bb_arch" = mips ]; then bb_anchor="BusyBox SSD-only, rebuilt, mips"; else bb_anchor="BusyBox SSD-only: ${bb:-build failed}"; bb_bytes=; fi
	budget "Kconfig defaults, every feature" board/host/defconfig "$MIPS_BUDGET" "$REF_MIPS_FULL" "$bb_anchor" "$bb_bytes"
	budget "board minimal config" board/minimal/defconfig "$MINIMAL_BUDGET" "$REF_MIPS_MIN" "empty main, mips" "$(floor_of mips)"
	# As OpenWrt builds packages with USE_MIPS16 (cross/cross.mk).
	budget "Kconfig defaults, every feature, MIPS16=1" board/host/defconfig "$MIPS_BUDGET" "$REF_MIPS_FULL" "$bb_anchor" "$bb_bytes" MIPS16=1
	budget "board minimal config, MIPS16=1" board/minimal/defconfig "$MINIMAL_BUDGET" "$REF_MIPS_MIN" "empty main, mips" "$(floor_of mips)" MIPS16=1
	h=$(floor mips hello)
	row 1 "printf hello, mips (anchor rebuilt)" "$(bytes "$h")" "empty main, mips" "$(bytes "$(floor_of mips)")" "$(ratio "$h" "$(floor_of mips)")" "$REF_MIPS_FLOOR" "-"
	cmd 1 "$(cc_for mips) $FLOOR_FLAGS -o true bench/true.c   # and bench/hello.c; strip -o"
else
	row 1 "budgets (MIPS)" "n/a (mips-linux-gnu-gcc missing)" "-" "-" "-" "-" "-" "-"
fi
if [ -n "$bb" ] && [ "$bb_arch" != mips ]; then
	row 1 "BusyBox SSD-only, rebuilt, $bb_arch (no MIPS toolchain)" "$(bytes "$bb_bytes")" "-" "-" "-" "BusyBox 1.35 SSD-only 92,772 B (MIPS)" "-"
fi

# make size: "ARCH NAME BYTES"; NAME is build/ARCH or a board.
while read -r a name b; do
	case $name in
	build/*) what="tether stripped, $a, make ARCH=$a ($treecfg)" ;;
	*) what="tether stripped, board $name ($a)" ;;
	esac
	f=$(floor_of "$a")
	ref=-
	[ "$a" = mips ] && ref=$REF_MIPS_FLOOR
	row 1 "$what" "$(bytes "$b")" "empty main, $a" "$(bytes "$f")" "$(ratio "$b" "$f")" "$ref" "-"
done <"$BENCH_WORK/size.out"
note 1 "Sizes are of stripped copies (\`<triplet>-strip -o\`), as \`make size\` (cross/size.sh) measures them. The empty main and printf hello are bench/true.c and bench/hello.c built with tether's flags (-Os, gc-sections, static musl, the target's CPU flags). The budget rows are built by the benchmark from board/host/defconfig (every feature) and board/minimal/defconfig, for MIPS big-endian."
note 1 "The xz -9 rows compress the whole stripped file, as squashfs does per block (OpenWrt: xz, 256 KiB blocks, so a binary under 256 KiB is one block). They have no goal of their own: issue 8's budgets are of the stripped file."
note 1 "BusyBox: $(sed -n 's/^note: //p' "$BENCH_WORK/size.busybox.log" 2>/dev/null | tr '\n' ' ')"
