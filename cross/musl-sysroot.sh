#!/bin/sh
# A static musl sysroot for one cross target, built from Debian's own musl
# source package with Debian's cross gcc.
#
#   cross/musl-sysroot.sh ARCH      build build/sysroot/ARCH (nothing if current)
#   cross/musl-sysroot.sh deb-src   add a deb-src entry for this machine's
#                                   Debian mirror (root), so apt-get source works
#
# ARCH is a line of cross/targets. The source is fetched once into
# build/sysroot-src and shared by every ARCH; `make clean` keeps both.
# The result is include/, lib/ (crt*.o, libc.a) and lib/musl-gcc.specs,
# which cross/cross.mk hands to the cross gcc. The stamp file records what
# it was built from; a second run with the same inputs does nothing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
src_dir=$top/build/sysroot-src
deb_src_file=/etc/apt/sources.list.d/tether-deb-src.sources
# Bump when the way musl is built changes, to rebuild every sysroot.
recipe=1

die() { echo "musl-sysroot: $*" >&2; exit 1; }

# The first Debian entry of this release (deb822 or one-line format), as
# "URI|SUITES|SIGNED-BY".
debian_mirror() {
	# shellcheck disable=SC1091
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list; do
		if [ ! -f "$f" ] || [ "$f" = "$deb_src_file" ]; then continue; fi
		case $f in
		*.sources) awk -v rel="$codename" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " rel " ") && !done) {
					print uris "|" suites "|" key; done = 1
				}
				types = uris = suites = key = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $1 }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			/^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); key = $0 }
			END { flush() }' "$f" ;;
		*) awk -v rel="$codename" '
			$1 == "deb" && !done {
				i = 2; key = ""
				if ($2 ~ /^\[/) {
					for (; i <= NF && $i !~ /\]$/; i++) if ($i ~ /signed-by=/) key = $i
					if ($i ~ /signed-by=/) key = $i
					i++
				}
				sub(/.*signed-by=/, "", key); sub(/\]$/, "", key)
				if ($(i + 1) == rel) { print $i "|" rel "|" key; done = 1 }
			}' "$f" ;;
		esac
	done | head -n 1
}

add_deb_src() {
	[ -f "$deb_src_file" ] && return 0
	[ "$(id -u)" = 0 ] || die "apt-get source needs a deb-src entry; as root run: sh cross/musl-sysroot.sh deb-src && apt-get update"
	m=$(debian_mirror)
	[ -n "$m" ] || die "no Debian 'deb' entry for this release in /etc/apt/sources.list*"
	uri=${m%%|*} rest=${m#*|}
	suites=${rest%%|*} key=${rest#*|}
	{
		echo "# Added by tether's cross/musl-sysroot.sh: apt-get source musl"
		echo "Types: deb-src"
		echo "URIs: $uri"
		echo "Suites: $suites"
		echo "Components: main"
		[ -z "$key" ] || echo "Signed-By: $key"
	} >"$deb_src_file.tmp"
	mv "$deb_src_file.tmp" "$deb_src_file"
	echo "musl-sysroot: added $deb_src_file ($uri $suites)" >&2
}

apt_source() { # LOG
	(cd "$src_dir/fetch" && apt-get source -qq -o APT::Sandbox::User=root musl) >"$1" 2>&1
}

# Fetch and unpack Debian's musl source once; print its directory.
fetch_source() {
	mkdir -p "$src_dir"
	for d in "$src_dir"/musl-*/; do
		[ -f "$d/.fetched" ] && { echo "${d%/}"; return 0; }
	done
	command -v dpkg-source >/dev/null 2>&1 || die "apt-get source needs dpkg-source: apt-get install dpkg-dev"
	rm -rf "$src_dir/fetch" && mkdir "$src_dir/fetch"
	log=$src_dir/fetch.log
	# Without a deb-src entry, or with an index that predates it, add the
	# entry and update once, as root; others are told what to run.
	if ! apt_source "$log"; then
		[ "$(id -u)" = 0 ] || { cat "$log" >&2; die "apt-get source musl failed; as root: sh cross/musl-sysroot.sh deb-src && apt-get update"; }
		add_deb_src
		apt-get update -qq >&2 || die "apt-get update failed"
		apt_source "$log" || { cat "$log" >&2; die "apt-get source musl failed"; }
	fi
	for d in "$src_dir"/fetch/musl-*/; do
		[ -f "$d/configure" ] || continue
		name=$(basename "$d")
		rm -rf "${src_dir:?}/$name"
		mv "$d" "$src_dir/$name"
		touch "$src_dir/$name/.fetched"
		rm -rf "$src_dir/fetch" "$log"
		echo "$src_dir/$name"
		return 0
	done
	die "apt-get source musl left no musl-*/configure in $src_dir/fetch"
}

build() {
	arch=$1
	row=$(awk -v a="$arch" '$1 == a' "$top/cross/targets")
	[ -n "$row" ] || die "unknown ARCH $arch; targets: $(awk '!/^#/ && NF { printf "%s ", $1 }' "$top/cross/targets")"
	triplet=$(echo "$row" | awk '{ print $2 }')
	cflags=$(echo "$row" | awk '{ $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }')
	command -v "$triplet-gcc" >/dev/null 2>&1 ||
		die "ARCH=$arch needs $triplet-gcc: apt-get install gcc-$triplet"

	sysroot=$top/build/sysroot/$arch
	stamp=$sysroot/.stamp
	key="recipe $recipe | $triplet-gcc $("$triplet-gcc" -dumpfullversion) | $cflags | $sysroot"
	[ -f "$stamp" ] && [ "$(sed -n 2p "$stamp")" = "$key" ] && return 0

	# Serialise fetches when make builds several sysroots at once.
	mkdir -p "$top/build"
	if command -v flock >/dev/null 2>&1; then
		src=$(flock "$top/build/.sysroot-src.lock" sh "$0" fetch-source) || exit 1
	else
		src=$(fetch_source) || exit 1
	fi

	echo "  MUSL   $(basename "$src") for $arch ($triplet, $cflags)" >&2
	obj=$top/build/sysroot-build/$arch
	rm -rf "$obj" "$sysroot"
	mkdir -p "$obj"
	log=$obj/build.log
	# The caller's make variables (ARCH=armhf, O=...) must not reach musl's make.
	unset MAKEFLAGS MFLAGS MAKELEVEL CFLAGS LDFLAGS CPPFLAGS CC
	if ! (cd "$obj" &&
		"$src/configure" --target="$triplet" CROSS_COMPILE="$triplet-" \
			CC="$triplet-gcc" CFLAGS="$cflags" --disable-shared \
			--enable-wrapper=gcc --prefix="$sysroot" &&
		make -j"$(nproc 2>/dev/null || echo 2)" &&
		make install-headers install-libs) >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "building musl for $arch failed; log: $log"
	fi
	[ -f "$sysroot/lib/musl-gcc.specs" ] || die "musl installed no lib/musl-gcc.specs; log: $log"
	rm -rf "$obj"
	rmdir "$top/build/sysroot-build" 2>/dev/null || true
	printf '%s\n%s\n' "$(basename "$src")" "$key" >"$stamp"
}

case ${1:-} in
deb-src) add_deb_src ;;
fetch-source) fetch_source ;;
""|-h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; [ -n "${1:-}" ] ;;
*)
	# One build per sysroot at a time: two makes (a check and a size run)
	# would otherwise rebuild it into the same directories at once. The
	# waiter then finds the stamp fresh and returns.
	if [ -z "${TETHER_SYSROOT_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
		mkdir -p "$top/build"
		TETHER_SYSROOT_LOCKED=1 exec flock "$top/build/.sysroot-$1.lock" sh "$0" "$1"
	fi
	build "$1" ;;
esac
