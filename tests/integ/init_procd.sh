#!/bin/sh
# The OpenWrt example (rootfs-overlay/etc/init.d/tether-demo). procd does
# not exist outside OpenWrt and cannot run as init here, so the script's
# registration is recorded through shims of /etc/rc.common and
# /lib/functions/procd.sh (tests/stubs/openwrt): the instance's command is
# `tether exec -n NAME --` the daemon, named as the script (procd's service
# name, which `tether restart` passes to /etc/init.d/SERVICE restart),
# with respawn and term_timeout. That command line is then run as procd
# would run it: the instance's pid must be the daemon's.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
# shellcheck source=tests/stubs/examples.sh
. "$TETHER_SRC/tests/stubs/examples.sh"

script=$examples/etc/init.d/tether-demo
shim=$TETHER_SRC/tests/stubs/openwrt/etc/rc.common
is "$(head -n 1 "$script")" "#!/bin/sh /etc/rc.common" "the script runs under /etc/rc.common"
if busybox sh -c : 2>/dev/null; then
	busybox sh -n "$script"
	ok $? "it parses under busybox ash"
else
	skip "it parses under busybox ash" "busybox missing"
fi

export PROCD_SHIM_LOG="$TMP/procd.log"
sh "$shim" "$script" start 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "start_service registers with procd without error"
reg=$(cat "$PROCD_SHIM_LOG")
service=$(basename "$script")
is "$(sed -n 's/^set_param command //p' "$PROCD_SHIM_LOG")" \
	"/usr/sbin/tether exec -n $service -- /usr/libexec/tether/demo-daemon $service" \
	"the command is tether exec -n <the script's name> -- the daemon"
like "$reg" "open_instance *set_param command *close_instance" "inside one instance"
like "$reg" "*set_param respawn 3600 5 5*" "procd respawns it (threshold 3600 s, 5 s, 5 tries)"
like "$reg" "*set_param term_timeout 5*" "and waits 5 s between TERM and KILL"
like "$(sed -n 's/^START=//p' "$script")" "[0-9]*" "START is set (enable creates the rc.d link)"

# Run the registered command as procd would: as a child that procd
# watches by pid. With the paths rewritten, the pid procd holds must be
# the daemon's, recorded by tether.
example etc/init.d/tether-demo "$TMP/tether-demo"
: >"$PROCD_SHIM_LOG"
sh "$shim" "$TMP/tether-demo" start
# shellcheck disable=SC2046 # one word per argument: the shim refuses blanks
set -- $(sed -n 's/^set_param command //p' "$PROCD_SHIM_LOG")
"$@" 2>"$TMP/daemon.log" &
instance=$!
track "$instance"
wait_until 15 running
ok $? "the instance's command starts the daemon and records it"
wait_until 10 ready
is "$(status_of tether-demo TETHER_PID)" "$instance" "the pid procd holds is the daemon's (exec in place)"
like "$(tr '\0' ' ' <"/proc/$instance/cmdline")" "*$TMP/demo-daemon tether-demo*" "running the demo daemon"
sleepers=$(children "$instance")
kill -TERM "$instance"   # procd's stop, or sysupgrade: no marker
wait_until 15 not_running
ok $? "TERM stops it, as procd's stop and sysupgrade do"
like "$(cat "$TMP/daemon.log")" "*TERM: stopping*" "no marker: the daemon's TERM handler saw a stop"
gone_within 15
is "$(left | tr '\n' ' ')" "" "no process left"
bad=
for s in $sleepers; do alive "$s" && bad="$bad $s"; done
is "$bad" "" "no child of the daemon outlived it"
skip "tether restart through /etc/init.d/tether-demo under procd" \
	"procd is OpenWrt's and cannot run as init here"
done_testing
