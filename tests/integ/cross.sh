# Cross builds (cross/targets): for every ARCH whose toolchain and musl
# sysroot exist (make cross-sysroots; CI builds them), build tether and the
# unit tests, run them and tests/cross/*.sh under qemu-user (make ARCH=...
# check), check that the binary is static and for the right CPU and byte
# order, and that it runs. Without a sysroot an ARCH is skipped.
. "$TETHER_SRC/tests/integ/lib.sh"

[ -z "${TETHER_WRAP:-}" ] || skip_all "cross builds are checked by the plain make check, not under $TETHER_WRAP"
have file || skip_all "no file(1): apt-get install file"

targets=$TETHER_SRC/cross/targets
jobs=$(nproc 2>/dev/null || echo 2)

cross_check() { # ARCH QEMU O [MAKE VARIABLES]: make ARCH=... check under qemu
	arch=$1 qemu=$2 o=$3
	shift 3
	# The outer make's flags and variables (VALGRIND=1, O=...) are not ours.
	out=$(cd "$TETHER_SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u TETHER_WRAP -u SANITIZE -u VALGRIND -u O \
		make --no-print-directory -j"$jobs" ARCH="$arch" O="$o" "$@" check 2>&1)
	rc=$?
	ok "$rc" "$arch $*: unit tests and smoke test under qemu-$qemu-static"
	if [ "$rc" -ne 0 ]; then echo "$out" | tail -n 40 | sed 's/^/# /'
	else echo "$out" | grep -E '^[0-9]+ passed, ' | tail -n 1 | sed "s/^/# $arch $*: /"; fi
}

while read -r arch triplet qemu pattern _; do
	case $arch in ""|"#"*) continue ;; esac
	why=
	if ! have "$triplet-gcc"; then why="no $triplet-gcc (apt-get install gcc-$triplet)"
	elif ! have "qemu-$qemu-static"; then why="no qemu-$qemu-static (apt-get install qemu-user-static)"
	elif [ ! -f "$TETHER_SRC/build/sysroot/$arch/.stamp" ]; then why="no musl sysroot (make cross-sysroots)"
	fi
	if [ -n "$why" ]; then
		skip "$arch: unit tests and smoke test under qemu-$qemu-static" "$why"
		continue
	fi

	cross_check "$arch" "$qemu" "build/$arch"

	bin=$TETHER_SRC/build/$arch/tether
	desc=$(file -b "$bin" 2>&1)
	case $desc in
	*"statically linked"*) ok 0 "$arch: tether is statically linked" ;;
	*) ok 1 "$arch: tether is statically linked"; diag "file: $desc" ;;
	esac
	# shellcheck disable=SC2254 # the pattern comes from cross/targets
	case $desc in
	$pattern) ok 0 "$arch: tether is for the right CPU and byte order" ;;
	*) ok 1 "$arch: tether is for the right CPU and byte order"; diag "file: $desc"; diag "want: $pattern" ;;
	esac
	out=$("qemu-$qemu-static" "$bin" --version 2>&1); rc=$?
	is "$rc" 0 "$arch: tether --version runs under qemu-$qemu-static"
	like "$out" "tether *" "$arch: tether --version names tether"
done <"$targets"

# MIPS16=1 (cross/cross.mk): tether's code in MIPS16e, musl and the tests
# in MIPS32, interlinked; one ARCH suffices, mipsel differs only in order.
if [ -f "$TETHER_SRC/build/sysroot/mips/.stamp" ] && have mips-linux-gnu-gcc && have qemu-mips-static; then
	cross_check mips mips build/mips16 MIPS16=1
	flags=$(mips-linux-gnu-readelf -h "$TETHER_SRC/build/mips16/tether" 2>&1 | grep Flags)
	like "$flags" "*, mips16,*" "mips MIPS16=1: the ELF header marks MIPS16 code"
	out=$(qemu-mips-static "$TETHER_SRC/build/mips16/tether" --version 2>&1); rc=$?
	is "$rc" 0 "mips MIPS16=1: tether --version runs under qemu-mips-static"
else
	skip "mips MIPS16=1: unit tests and smoke test under qemu-mips-static" "no mips toolchain, sysroot or qemu"
	skip "mips MIPS16=1: the ELF header marks MIPS16 code" "no mips toolchain, sysroot or qemu"
	skip "mips MIPS16=1: tether --version runs under qemu-mips-static" "no mips toolchain, sysroot or qemu"
fi

done_testing
