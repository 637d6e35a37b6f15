#!/bin/sh
# OpenRC for real: runs test_sup_openrc (sup_detect, sup_restart and
# sup_stop against rc-service and supervise-daemon) inside private mount
# and pid namespaces, with Debian's openrc packages unpacked under the
# build dir and overlaid read-only on /usr/lib and /usr/sbin. The host's
# init, /run and /etc/init.d are never touched; the namespace's pid 1 (a
# shell) reaps the daemonized supervise-daemon processes, and everything
# left dies with it.
. "$TETHER_SRC/tests/integ/lib.sh"
bin=$TETHER_BUILD/tests/test_sup_openrc
[ -x "$bin" ] || skip_all "test_sup_openrc not built"
grep -q 'CONFIG_SUP_OPENRC 1' "$TETHER_BUILD/config.h" || skip_all "CONFIG_SUP_OPENRC is off"
is_root || skip_all "needs root for a mount namespace"
for tool in unshare apt-get dpkg; do have $tool || skip_all "needs $tool"; done
grep -qw overlay /proc/filesystems || skip_all "needs overlayfs"

# Debian's packages, fetched once per build dir (nothing is installed).
pkg=$TETHER_BUILD/openrc
if [ ! -x "$pkg/root/sbin/supervise-daemon" ]; then
	rm -rf "$pkg"
	mkdir -p "$pkg/debs" || skip_all "cannot create $pkg"
	if ! (cd "$pkg/debs" && apt-get download openrc librc1 libeinfo1) >"$pkg/fetch.log" 2>&1; then
		skip_all "apt-get download openrc librc1 libeinfo1 failed (no package lists? see $pkg/fetch.log)"
	fi
	for deb in "$pkg"/debs/*.deb; do dpkg -x "$deb" "$pkg/root" || skip_all "dpkg -x $deb failed"; done
fi
libdir=$(dirname "$(find "$pkg/root" -name 'librc.so.1' | head -n 1)")
if [ ! -d "$pkg/root/lib/rc" ] || [ -z "$libdir" ]; then skip_all "unexpected openrc package layout"; fi

# What the overlays add: /lib/rc and the two libraries, and the programs.
mkdir -p "$TMP/lib/$(basename "$libdir")" "$TMP/init.d"
cp -a "$pkg/root/lib/rc" "$TMP/lib/rc"
cp -a "$libdir"/* "$TMP/lib/$(basename "$libdir")/"
for svc in foo bar; do
	printf '#!/sbin/openrc-run\nsupervisor=supervise-daemon\ncommand=/bin/sleep\ncommand_args=3600\npidfile=/run/%s.pid\n' \
		"$svc" >"$TMP/init.d/$svc"
	chmod 755 "$TMP/init.d/$svc"
done
cat >"$TMP/ns.sh" <<NS
set -e
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mount -t overlay overlay -o "lowerdir=$TMP/lib:$(realpath /lib)" "$(realpath /lib)"
mount -t overlay overlay -o "lowerdir=$pkg/root/sbin:$(realpath /sbin)" "$(realpath /sbin)"
mount --bind "$TMP/init.d" /etc/init.d
for d in starting started stopping inactive wasinactive failed hotplugged daemons options exclusive scheduled tmp; do
	mkdir -p /run/openrc/\$d
done
echo default >/run/openrc/softlevel
set +e
TETHER_OPENRC_NS=1 EINFO_QUIET=yes $TETHER_WRAP "$bin"
NS
unshare -m -p -f --mount-proc sh "$TMP/ns.sh" 2>"$TMP/ns.err"
rc=$?
grep -v 'insserv.conf' "$TMP/ns.err" | sed 's/^/# /'
exit $rc
