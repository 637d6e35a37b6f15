#!/bin/sh
# make size: the stripped size of tether, one line each as "ARCH NAME BYTES",
# for every target already built (NAME is its build dir) and for every
# board/*/defconfig (NAME is the board), built into build/size/BOARD with
# its own .config so the user's .config and build dirs stay as they are.
# The strip is done on a copy.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${MAKE:=make}"
unset O KCONFIG_CONFIG
failed=0

strip_tool() { # ARCH: the strip that knows ARCH's binaries
	if [ "$1" = host ]; then echo strip; return; fi
	awk -v a="$1" '$1 == a { print $2 "-strip" }' cross/targets
}

stripped_size() { # ARCH NAME BINARY
	s=$(strip_tool "$1")
	"$s" -o "$3.stripped" "$3" || { failed=1; return; }
	echo "$1 $2 $(wc -c <"$3.stripped" | tr -d ' ')"
}

for arch in host $(awk '!/^#/ && NF { print $1 }' cross/targets); do
	bin=build/$arch/tether
	[ -f "$bin" ] && stripped_size "$arch" "build/$arch" "$bin"
done

for defconfig in board/*/defconfig; do
	board=$(basename "$(dirname "$defconfig")")
	arch=$(cat "board/$board/arch" 2>/dev/null) || { echo "size: no board/$board/arch" >&2; failed=1; continue; }
	if [ "$arch" != host ]; then
		triplet=$(awk -v a="$arch" '$1 == a { print $2 }' cross/targets)
		[ -n "$triplet" ] || { echo "size: $board: unknown arch $arch" >&2; failed=1; continue; }
		if ! command -v "$triplet-gcc" >/dev/null 2>&1; then
			echo "size: $board needs $triplet-gcc: apt-get install gcc-$triplet" >&2
			continue
		fi
	fi
	dir=build/size/$board
	mkdir -p "$dir"
	# Rewritten only when it changes, so config.h and the objects are
	# rebuilt only then (config.h depends on KCONFIG_CONFIG).
	awk -f board/kconfig.awk -v mode=config Kconfig "$defconfig" >"$dir/.config.tmp" || { failed=1; continue; }
	if cmp -s "$dir/.config.tmp" "$dir/.config"; then rm -f "$dir/.config.tmp"
	else mv "$dir/.config.tmp" "$dir/.config"; fi
	if ! $MAKE --no-print-directory O="$dir" KCONFIG_CONFIG="$dir/.config" \
		ARCH="$arch" "$dir/tether" >"$dir/build.log" 2>&1; then
		echo "size: building $board (ARCH=$arch) failed; log: $dir/build.log" >&2
		tail -n 20 "$dir/build.log" >&2
		failed=1
		continue
	fi
	stripped_size "$arch" "$board" "$dir/tether"
done
exit "$failed"
