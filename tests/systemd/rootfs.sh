#!/bin/sh
# tests/systemd/rootfs.sh [DIR]: a Debian bookworm tree with systemd as
# init, booted by tests/integ/systemd.sh under systemd-nspawn. Cached in
# DIR (default build/sysroot-systemd: `make clean` keeps build/sysroot*);
# nothing is done while DIR's stamp matches the package list below.
# debootstrap runs in DIR.tmp.PID, renamed into place only when complete,
# so an interrupted run never leaves a half-built DIR. Needs root,
# debootstrap and flock; the mirror is this machine's own bookworm source.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/build/sysroot-systemd}
suite=bookworm
include=systemd,systemd-sysv,dbus,busybox
stamp="debootstrap --variant=minbase --include=$include $suite"
stamp_file=.tether-rootfs

current() { [ "$(cat "$dir/$stamp_file" 2>/dev/null)" = "$stamp" ]; }

# The first deb source for $suite itself (not -updates or -security), in
# one-line (.list) or deb822 (.sources) form.
mirror() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while (i <= NF && $i !~ /\]$/) i++
			if ($2 ~ /^\[/) i++; if ($(i + 1) == s) { print $i; exit } }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v s="$suite" '
			function flush() { if (deb && suite && uri != "") { print uri; exit } deb = suite = 0; uri = "" }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) suite = 1 }
			tolower($1) == "uris:" { uri = $2 }
			END { flush() }' "$f"
	done
}

# Unmount whatever an interrupted debootstrap left mounted under $1, then
# remove it without crossing into a mount.
scrub() {
	awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" || true; done
	rm -rf --one-file-system "$1"
}

current && exit 0
[ "$(id -u)" = 0 ] || { echo "rootfs.sh: debootstrap needs root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "rootfs.sh: no debootstrap (apt-get install debootstrap)" >&2; exit 1; }
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
current && exit 0
for stale in "$dir".tmp.*; do [ -e "$stale" ] && scrub "$stale"; done
url=$(mirror | head -n 1)
url=${url:-http://deb.debian.org/debian}
tmp=$dir.tmp.$$
boot=
# debootstrap runs in its own process group, so a signal stops all of it
# (dpkg, chroot) before its tree is removed.
stop_boot() {
	[ -n "$boot" ] || return 0
	kill -TERM "-$boot" "$boot" 2>/dev/null || true
	i=0
	while kill -0 "-$boot" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "-$boot" 2>/dev/null || true
	boot=
}
trap 'stop_boot; scrub "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
echo "rootfs.sh: debootstrap $suite from $url into $dir" >&2
start=$(date +%s)
mkdir "$tmp"
setsid debootstrap --variant=minbase --include="$include" "$suite" "$tmp" "$url" >"$dir.log" 2>&1 &
boot=$!
if ! wait $boot; then
	boot=
	tail -n 20 "$dir.log" >&2
	exit 1
fi
boot=
rm -f "$dir.log"
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*_Packages
echo "$stamp" >"$tmp/$stamp_file"
[ -e "$dir" ] && scrub "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "rootfs.sh: ready in $(( $(date +%s) - start )) s" >&2
