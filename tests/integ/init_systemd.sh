#!/bin/sh
# The systemd example (rootfs-overlay/usr/lib/systemd/system/
# tether-demo.service). systemd cannot run as init here (a container test
# elsewhere boots it); this checks the unit says what tether relies on:
# ExecStart is `tether exec -n NAME --` the daemon (so the main PID is the
# daemon), TERM reaches the daemon alone and the rest of the cgroup is
# killed after it, and failures restart it except
# when retrying cannot help. systemd-analyze verifies it where available.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
unit=$TETHER_SRC/rootfs-overlay/usr/lib/systemd/system/tether-demo.service

key() { sed -n "s/^$1=//p" "$unit"; }
is "$(key ExecStart)" "/usr/sbin/tether exec -n tether-demo -- /usr/libexec/tether/demo-daemon tether-demo" \
	"ExecStart: tether exec -n tether-demo -- the daemon"
is "$(key Type)" simple "Type=simple: the exec'd daemon is the main process"
is "$(key KillMode)" mixed "KillMode=mixed: TERM to the daemon alone (its marker check lives), then the cgroup is killed"
is "$(key Restart)" on-failure "Restart=on-failure"
like " $(key RestartPreventExitStatus) " "* 152 *" "no restart loop when the name already runs elsewhere (152)"
is "$(key WantedBy)" multi-user.target "enabled for multi-user.target"
sections=$(grep '^\[' "$unit" | tr '\n' ' ')
is "$sections" "[Unit] [Service] [Install] " "sections Unit, Service, Install"

if have systemd-analyze; then
	mkdir -p "$TMP/unit"
	sed -e "s|/usr/sbin/tether|$TETHER|" -e "s|/usr/libexec/tether/demo-daemon|/bin/sh|" "$unit" \
		>"$TMP/unit/tether-demo.service"
	systemd-analyze verify --man=no "$TMP/unit/tether-demo.service" >"$TMP/out" 2>&1
	ok $? "systemd-analyze verify accepts it"
	[ -s "$TMP/out" ] && sed 's/^/# /' "$TMP/out"
else
	skip "systemd-analyze verify accepts it" "systemd-analyze missing"
fi
skip "the unit under a running systemd" "systemd cannot run as init here; the systemd container test covers it"
done_testing
