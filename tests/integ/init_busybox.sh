#!/bin/sh
# The BusyBox init example (rootfs-overlay/etc/inittab.d/tether-demo) with
# BusyBox init as PID 1 of a private pid namespace, the example overlaid as
# /etc/inittab. Its active entry respawns `tether supervise`: status,
# restart and stop of the daemon go through the supervisor, init keeps the
# supervisor, shutdown is a stop. Its commented alternative, a bare
# `tether exec` entry: init starts and respawns the daemon, shutdown is a
# stop, and tether restart is checked against the caveat it documents.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
is_root || skip_all "needs root (pid and mount namespaces)"
if ! have unshare || ! have nsenter; then skip_all "unshare/nsenter missing (util-linux)"; fi
if ! busybox init --help >/dev/null 2>&1; then skip_all "busybox with init missing (busybox-static)"; fi
# shellcheck source=tests/stubs/examples.sh
. "$TETHER_SRC/tests/stubs/examples.sh"

mkdir -p "$TMP/etc" "$TMP/work"
example etc/inittab.d/tether-demo "$TMP/inittab"
sed -i "s|/var/log/|$TMP/|" "$TMP/inittab"
cat >"$TMP/boot" <<BOOT
#!/bin/sh
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$TMP/etc,workdir=$TMP/work" /etc || exit 97
exec busybox init
BOOT
chmod +x "$TMP/boot"
log=$TMP/init.log
dlog=$TMP/tether-demo.log

init_forked() { [ -n "$(cat "/proc/$ushare/task/$ushare/children" 2>/dev/null)" ]; }
ns_gone() { ! alive "$ushare"; }
# boot INITTAB: BusyBox init as pid 1 of new pid and mount namespaces;
# sets init (its host pid) and ushare (unshare's).
boot() {
	cp "$1" "$TMP/etc/inittab"
	: >"$log"
	unshare --pid --fork --mount-proc "$TMP/boot" >>"$log" 2>&1 &
	ushare=$!
	track "$ushare"
	wait_until 15 init_forked
	init=$(children "$ushare")
	track "$init"
}
# shutdown: TERM to init, which TERMs and KILLs everything, then reboots
# (which ends a pid namespace).
shutdown() {
	kill -TERM "$init"
	wait_until 10 ns_gone
}
# tether inside the namespace: its /proc and pids
NT() { nsenter -t "$init" -p -m "$TETHER" "$@"; }
nrunning() { NT status -n tether-demo >/dev/null 2>&1; }
nstatus_of() { NT status -n tether-demo --shell | sed -n "s/.*$1='\([^']*\)'.*/\1/p"; }
nppid() { nsenter -t "$init" -p -m sh -c "sed 's/.*) //' /proc/$1/stat | cut -d' ' -f2"; }
respawned() { nrunning && [ "$(nstatus_of TETHER_PID)" != "$npid" ]; }
daemons() { demo_pids | count; }

# --- the example's entry: tether supervise under init ---
boot "$TMP/inittab"
sleep 0.3
if ! alive "$init" || grep -q 'exit 97\|mount' "$log"; then
	skip_all "no BusyBox init in a pid namespace here: $(head -1 "$log")"
fi
ok "$(alive "$init"; echo $?)" "BusyBox init runs as pid 1 of its namespace (host pid $init)"
wait_until 15 nrunning
ok $? "init starts tether supervise, which starts the daemon; status verifies it"
wait_until 10 ready
is "$(nstatus_of TETHER_OWNER)" tether "its owner is the supervisor"
npid=$(nstatus_of TETHER_PID)
sv=$(nppid "$npid")
is "$(nppid "$sv")" 1 "the supervisor is init's child"
is "$(daemons)" 1 "one daemon"

NT restart -n tether-demo >"$TMP/out" 2>&1
is $? 0 "tether restart exits 0"
like "$(cat "$TMP/out")" "*restarted via tether: pid $npid -> *" "through the supervisor"
new=$(nstatus_of TETHER_PID)
ok "$([ -n "$new" ] && [ "$new" != "$npid" ]; echo $?)" "the daemon has a new pid ($npid -> $new)"
is "$(nppid "$new")" "$sv" "the same supervisor started it"
is "$(daemons)" 1 "exactly one daemon"
wait_until 15 grep -q 'TERM: restart expected' "$dlog"
ok $? "the old daemon's TERM handler saw the restart marker"
sleep 1.5
is "$(grep -c 'already running' "$log")" 0 "init is not retrying anything"

npid=$new
crash "$(demo_pids)"
wait_until 15 respawned
ok $? "after a crash the supervisor respawns it"
npid=$(nstatus_of TETHER_PID)
is "$(nppid "$npid")" "$sv" "the same supervisor"
wait_until 10 ready

: >"$dlog"
NT stop -n tether-demo
is $? 0 "tether stop exits 0"
wait_until 15 grep -q 'TERM: stopping' "$dlog"
ok $? "the daemon's TERM handler saw a stop"
sleep 1.5
is "$(daemons)" 0 "the supervisor keeps it down"
ok "$(nsenter -t "$init" -p -m kill -0 "$sv" 2>/dev/null; echo $?)" "and keeps running itself"
shutdown
ok $? "BusyBox init shuts the namespace down on TERM"
gone_within 15
is "$(left | tr '\n' ' ')" "" "no process left"

# --- the commented alternative: a bare tether exec entry ---
sed -e 's/^#::respawn:/::respawn:/' -e '/^::respawn:.* supervise /s/^/#/' "$TMP/inittab" >"$TMP/inittab.exec"
is "$(grep -c '^::respawn:' "$TMP/inittab.exec")" 1 "the alternative entry, alone"
boot "$TMP/inittab.exec"
wait_until 15 nrunning
ok $? "init starts the daemon through tether exec"
wait_until 10 ready
is "$(nstatus_of TETHER_OWNER)" none "owner none: BusyBox init has no restart interface"
npid=$(nstatus_of TETHER_PID)
is "$(nppid "$npid")" 1 "the daemon is init's child: exec kept the pid"
crash "$(demo_pids)"
wait_until 15 respawned
ok $? "after a crash init respawns it and tether exec records the new identity"
wait_until 10 ready
is "$(daemons)" 1 "one daemon"
shutdown
like "$(cat "$log")" "*tether-demo: TERM: stopping*" "shutdown reaches the daemon as a stop (no marker)"
gone_within 15
is "$(left | tr '\n' ' ')" "" "no process left"

boot "$TMP/inittab.exec"
wait_until 15 nrunning
NT restart -n tether-demo >"$TMP/out" 2>&1
sleep 2.5
spins=$(grep -c 'already running' "$log")
n=$(daemons)
if [ "$spins" -eq 0 ] && [ "$n" -eq 1 ]; then
	ok 0 "tether restart of a bare inittab entry: one daemon, init not retrying"
else
	skip "tether restart of a bare inittab entry" \
		"the caveat the example documents: owner none, tether spawned its own copy ($n daemon) and init retried tether exec $spins times in 2.5 s"
fi
shutdown
gone_within 15
is "$(left | tr '\n' ' ')" "" "after that, too, shutdown leaves no process"
done_testing
