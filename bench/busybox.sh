#!/bin/sh
# bench/busybox.sh TOP DIR: BusyBox with only start-stop-daemon, the size
# anchor of issue 8, rebuilt from Debian's busybox source package in the
# scratch dir DIR (under build/, never committed).
#
# allnoconfig, then STATIC=y, LFS=y, SH_IS_NONE=y and START_STOP_DAEMON=y
# (its sub-options keep allnoconfig's "off"). Built for MIPS big-endian
# with the cross gcc and the musl sysroot tether itself links against
# (cross/musl-sysroot.sh, the same CPU flags), or, without them, for the
# host with musl-gcc. The source is fetched once (apt-get source needs a
# deb-src entry: the one cross/musl-sysroot.sh adds); every run rebuilds.
# Prints "note: ..." lines, then "ARCH BYTES" (a stripped copy's size).
set -eu
top=$1 dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

die() { echo "busybox: $*" >&2; exit 1; }

fetch() {
	for d in "$dir"/src/busybox-*/; do
		[ -f "$d/.fetched" ] && { echo "${d%/}"; return 0; }
	done
	command -v dpkg-source >/dev/null 2>&1 || die "apt-get source needs dpkg-source: apt-get install dpkg-dev"
	rm -rf "$dir/fetch" && mkdir -p "$dir/fetch" "$dir/src"
	get() { (cd "$dir/fetch" && apt-get source -qq -o APT::Sandbox::User=root busybox) >"$dir/fetch.log" 2>&1; }
	if ! get; then
		[ "$(id -u)" = 0 ] || die "apt-get source busybox failed; as root: sh cross/musl-sysroot.sh deb-src && apt-get update"
		if ! { sh "$top/cross/musl-sysroot.sh" deb-src >&2 && apt-get update -qq >&2 && get; }; then
			cat "$dir/fetch.log" >&2
			die "apt-get source busybox failed"
		fi
	fi
	for d in "$dir"/fetch/busybox-*/; do
		[ -f "$d/Makefile" ] || continue
		name=$(basename "$d")
		rm -rf "${dir:?}/src/$name"
		mv "$d" "$dir/src/$name"
		touch "$dir/src/$name/.fetched"
		rm -rf "$dir/fetch"
		echo "$dir/src/$name"
		return 0
	done
	die "apt-get source busybox left no busybox-*/Makefile"
}

src=$(fetch)
ver="Debian busybox $(dpkg-parsechangelog -l "$src/debian/changelog" -S Version 2>/dev/null || basename "$src")"
specs=$top/build/sysroot/mips/lib/musl-gcc.specs
if command -v mips-linux-gnu-gcc >/dev/null 2>&1 && [ -f "$specs" ]; then
	arch=mips prefix=mips-linux-gnu- cc=mips-linux-gnu-gcc
	flags="-specs=$specs $(awk '$1 == "mips" { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' "$top/cross/targets")"
	ldflags=-Wl,-z,norelro
	how="mips-linux-gnu-gcc $(mips-linux-gnu-gcc -dumpfullversion) with the musl sysroot build/sysroot/mips ($(sed -n 1p "$top/build/sysroot/mips/.stamp" 2>/dev/null)), $flags"
elif command -v musl-gcc >/dev/null 2>&1; then
	arch=host prefix='' cc=musl-gcc flags='' ldflags=''
	how="host musl-gcc (no MIPS cross toolchain or sysroot)"
else
	die "needs mips-linux-gnu-gcc and build/sysroot/mips, or musl-gcc"
fi

obj=$dir/$arch
rm -rf "$obj"
mkdir -p "$obj"
make -s -C "$src" O="$obj" allnoconfig >"$obj/config.log" 2>&1 || die "allnoconfig failed: $obj/config.log"
sed -i -e 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' \
	-e 's/^# CONFIG_LFS is not set$/CONFIG_LFS=y/' \
	-e 's/^CONFIG_SH_IS_ASH=y$/# CONFIG_SH_IS_ASH is not set/' \
	-e 's/^# CONFIG_SH_IS_NONE is not set$/CONFIG_SH_IS_NONE=y/' \
	-e 's/^# CONFIG_START_STOP_DAEMON is not set$/CONFIG_START_STOP_DAEMON=y/' \
	-e "s|^CONFIG_CROSS_COMPILER_PREFIX=.*|CONFIG_CROSS_COMPILER_PREFIX=\"$prefix\"|" \
	-e "s|^CONFIG_EXTRA_CFLAGS=.*|CONFIG_EXTRA_CFLAGS=\"$flags\"|" \
	-e "s|^CONFIG_EXTRA_LDFLAGS=.*|CONFIG_EXTRA_LDFLAGS=\"$ldflags\"|" "$obj/.config"
yes '' | make -C "$obj" oldconfig >>"$obj/config.log" 2>&1 || die "oldconfig failed: $obj/config.log"
for sym in STATIC LFS SH_IS_NONE START_STOP_DAEMON; do
	grep -q "^CONFIG_$sym=y" "$obj/.config" || die "CONFIG_$sym did not stick: $obj/.config"
done
unset MAKEFLAGS MFLAGS MAKELEVEL
make -C "$obj" -j"$(nproc 2>/dev/null || echo 2)" CC="$cc" >"$obj/build.log" 2>&1 || { tail -n 20 "$obj/build.log" >&2; die "build failed: $obj/build.log"; }
"${prefix}strip" -o "$obj/busybox.stripped" "$obj/busybox_unstripped"
echo "note: $ver, $how; enabled: $(grep -E '^CONFIG_[A-Z0-9_]+=y' "$obj/.config" | sed 's/^CONFIG_//; s/=y$//' | tr '\n' ' ')"
echo "$arch $(wc -c <"$obj/busybox.stripped" | tr -d ' ')"
