#!/bin/sh
# tether under a real systemd: a Debian bookworm tree (tests/systemd/
# rootfs.sh, cached in build/sysroot-systemd) booted with systemd-nspawn
# on a throwaway overlay, driven through nsenter. Owner detection from
# inside units, restart through systemctl without a second spawn, the
# self-restart handoff, the crash loop a naive restart causes and the one
# daemon tether's route leaves, the tether-demo.service example, and
# tether update (swap, restart through the unit, rollback, one restart
# for two records).
. "$TETHER_SRC/tests/integ/lib.sh"
is_root || skip_all "needs root (debootstrap, systemd-nspawn, nsenter)"
for tool in systemd-nspawn nsenter flock tar timeout; do
	have $tool || skip_all "needs $tool (apt-get install systemd-container util-linux tar coreutils)"
done
here=$TETHER_SRC/tests/systemd
root=${TETHER_SYSTEMD_ROOTFS:-$TETHER_SRC/build/sysroot-systemd}
lib=/usr/local/lib/tether-test
run=/run/tether-test
BOOT_TIMEOUT=60
t0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t0 )) s"; }

if ! sh "$here/rootfs.sh" "$root" >"$TMP/rootfs.log" 2>&1; then
	sed 's/^/# /' "$TMP/rootfs.log"
	skip_all "no bookworm rootfs at $root (debootstrap failed, see above)"
fi
diag "rootfs ready at $(elapsed)"
# A rebuild by another run waits until this container is gone.
exec 8>>"$root.lock"
flock -s 8

nsp='' leader=''
teardown() {
	[ -n "$nsp" ] || return 0
	kill -TERM "$nsp" 2>/dev/null
	wait_until 15 eval '! alive "$nsp"' || {
		diag "container did not halt in 15 s: killing it"
		[ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null
		kill -KILL "$nsp" 2>/dev/null
	}
	wait "$nsp" 2>/dev/null
	nsp=
	for d in $cgroups; do find "$d" -depth -type d -exec rmdir {} + || diag "cgroup $d not removed"; done
	cgroups=
}
trap 'teardown; _cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# C CMD...: run CMD inside the container, with its environment only.
C() { env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin timeout 60 nsenter -t "$leader" -a "$@" 8>&-; }
prop() { C systemctl show -p "$2" --value "$1"; }   # prop UNIT PROPERTY
holders() { C "$lib/port-holders" "$1" | tr '\n' ' ' | sed 's/ $//'; }
lines() { C sh -c "cat $run/$1 2>/dev/null" | wc -l | tr -d ' '; }
# The pids in UNIT's cgroup (the unified hierarchy, hybrid or not).
unit_procs() {
	C sh -c 'cg=$(systemctl show -p ControlGroup --value "$1")
		for h in /sys/fs/cgroup/unified /sys/fs/cgroup; do
			[ -r "$h$cg/cgroup.procs" ] && { cat "$h$cg/cgroup.procs"; break; }
		done' sh "$1" | tr '\n' ' ' | sed 's/ $//'
}
# tfield NAME VAR: VAR (TETHER_PID, TETHER_START...) of `tether status --shell`.
tfield() { (eval "$(C tether status -n "$1" --shell 2>/dev/null)" && eval "echo \"\${$2}\""); }
# host_pid PID: the host's pid of the container's PID.
host_pid() {
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/ns/pid" 2>/dev/null)" = "$pidns" ] || continue
		[ "$(awk '/^NSpid:/ { print $NF }' "$_d/status" 2>/dev/null)" = "$1" ] && { echo "${_d#/proc/}"; return 0; }
	done
	return 1
}
is_pid1_systemd() {
	for c in $(cat /proc/"$nsp"/task/*/children 2>/dev/null); do
		[ "$(cat /proc/"$c"/comm 2>/dev/null)" = systemd ] && { leader=$c; return 0; }
	done
	return 1
}

# With --keep-unit and no systemd on the host, nspawn puts the container
# under its own cgroup: a private one per run, or two runs at once would
# share system.slice/*.service and stop each other's daemons. The
# hierarchies written to: cgroup2 and v1 name=systemd, as mounted here.
cgroups=
for m in $(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break
		if ($(i + 1) == "cgroup2" || ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)name=systemd(,|$)/)) print $5 }' \
		/proc/self/mountinfo); do
	if [ "$(stat -f -c %T "$m")" = cgroup2fs ]; then own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	else own=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup); fi
	d=$m${own%/}/tether-test-$$
	mkdir "$d" && cgroups="$cgroups $d"
done
made_cgroups=$cgroups
[ -n "$cgroups" ] || diag "no private cgroup: a concurrent run would share this one's units"
# The subshell joins them, then becomes nspawn.
sh -c 'name=$1; shift; for d; do echo $$ >"$d/cgroup.procs" || exit 1; done
	exec systemd-nspawn -q -D "$0" -M "$name" -b --register=no --keep-unit \
		--volatile=overlay --private-network --console=pipe' "$root" "tether-test-$$" $cgroups \
	</dev/null >"$TMP/nspawn.log" 2>&1 8>&- &
nsp=$!
# is-system-running fails for "degraded" too: what counts is that boot ended.
booted() { C systemctl is-system-running --wait >"$TMP/state" 2>&1; grep -qE '^(running|degraded)$' "$TMP/state"; }
if ! wait_until $BOOT_TIMEOUT is_pid1_systemd || ! wait_until $BOOT_TIMEOUT booted; then
	sed 's/^/# /' "$TMP/nspawn.log" "$TMP/state" | tail -n 20
	skip_all "systemd-nspawn cannot boot $root here (log above)"
fi
pidns=$(readlink /proc/"$leader"/ns/pid)
diag "container up at $(elapsed): pid 1 is $leader on the host, state $(cat "$TMP/state")"

# Install tether (unchanged), the helpers and the units in the overlay.
stage=$TMP/stage
mkdir -p "$stage/usr/sbin" "$stage$lib" "$stage/etc/systemd/system"
cp "$TETHER" "$stage/usr/sbin/tether"
cp "$here"/bin/* "$stage$lib/"
cp "$here"/units/*.service "$stage/etc/systemd/system/"
demo_unit=$TETHER_SRC/rootfs-overlay/usr/lib/systemd/system/tether-demo.service
demo_daemon=$TETHER_SRC/rootfs-overlay/usr/libexec/tether/demo-daemon
if [ -f "$demo_unit" ] && [ -f "$demo_daemon" ]; then
	mkdir -p "$stage/usr/lib/systemd/system" "$stage/usr/libexec/tether"
	cp "$demo_unit" "$stage/usr/lib/systemd/system/"
	cp "$demo_daemon" "$stage/usr/libexec/tether/"
fi
(cd "$stage" && tar -cf - usr etc) | C tar -C / -xf -
C mkdir -p $run
C systemctl daemon-reload
C tether --help >/dev/null 2>&1 ||
	skip_all "$TETHER does not run inside the container (not a static binary for this machine?)"

# --- detection from inside a real unit ---
C systemctl start tt-detect.service
is "$(C cat $run/detect.self)" "owner=systemd unit=tt-detect.service scope=system" \
	"detect inside a unit: systemd owns it, named from the cgroup and INVOCATION_ID"
cg=$(C cat $run/detect.cgroup)
diag "the unit's /proc/self/cgroup: $(echo "$cg" | grep -E '^(0::|[0-9]+:name=systemd:)' | tr '\n' ' ')"
like "$cg" "*0::/system.slice/tt-detect.service*" "hybrid cgroups: the unified (0::) line names the unit"
case $cg in
*:name=systemd:*) like "$cg" "*:name=systemd:/system.slice/tt-detect.service*" \
	"hybrid cgroups: the name=systemd line names it too" ;;
*) skip "hybrid cgroups: the name=systemd line names it too" "no v1 name=systemd hierarchy (pure cgroup v2)" ;;
esac
id=$(C cat $run/detect.id)
is "$id" "$(prop tt-detect.service InvocationID)" "the unit's INVOCATION_ID is systemd's invocation id"
is "$(C cat $run/detect.noid)" "owner=none" \
	"in a unit's cgroup without INVOCATION_ID: not started by systemd, no owner"
is "$(C env INVOCATION_ID="$id" tether detect)" "owner=none" \
	"INVOCATION_ID alone (outside any unit's cgroup) is no proof: no owner"
C sh -c "cat $run/detect.cgroup" >"$TMP/unit.cgroup"
sed 's|^0::/.*|0::/|' "$TMP/unit.cgroup" >"$TMP/empty-v2.cgroup"
is "$(T detect --cgroup "$TMP/unit.cgroup" --invocation-id "$id")" \
	"owner=systemd unit=tt-detect.service scope=system" "the unit's saved cgroup file decides the same"
if grep -q ':name=systemd:' "$TMP/unit.cgroup"; then
	is "$(T detect --cgroup "$TMP/empty-v2.cgroup" --invocation-id "$id")" \
		"owner=systemd unit=tt-detect.service scope=system" "an empty 0::/ line falls back to name=systemd"
else
	skip "an empty 0::/ line falls back to name=systemd" "no v1 name=systemd hierarchy (pure cgroup v2)"
fi
diag "detection done at $(elapsed)"

# --- the crash loop: a naive restart (kill, spawn a detached copy) ---
C systemctl start tt-naive.service
wait_until 15 eval '[ -n "$(holders 8081)" ]'
old=$(prop tt-naive.service MainPID)
is "$(holders 8081)" "$old" "naive: the unit's daemon holds port 8081"
C sh -c 'kill "$1"; while kill -0 "$1" 2>/dev/null; do sleep 0.01; done
	setsid -f '"$lib/portd"' 8081 naive </dev/null >/dev/null 2>&1' sh "$old"
wait_until 15 eval '[ "$(prop tt-naive.service NRestarts)" -ge 3 ]'
n=$(prop tt-naive.service NRestarts)
h=$(holders 8081)
main=$(prop tt-naive.service MainPID)
diag "naive: restarts $n, port held by pid $h, unit MainPID $main, spawns $(lines naive.spawns)"
C journalctl -q -u tt-naive.service -o cat 2>/dev/null | grep -m 1 -i 'in use' | sed 's/^/# naive: unit log: /'
ok "$([ "$n" -ge 3 ]; echo $?)" "naive: the supervised daemon crash-loops (systemd restarted it $n times)"
hcg=$(C cat /proc/"$h"/cgroup 2>/dev/null | grep '^0::')
ok "$([ -n "$h" ] && [ "$h" != "$main" ] && [ "${hcg#*tt-naive.service}" = "$hcg" ]; echo $?)" \
	"naive: the port is held by the detached copy outside the unit (pid $h, $hcg)"
C systemctl stop tt-naive.service
C sh -c 'kill "$1"' sh "$h" 2>/dev/null
wait_until 15 eval '[ -z "$(holders 8081)" ]'
diag "naive path done at $(elapsed)"

# --- tether's route: systemctl restart, one spawn, one daemon ---
C systemctl start tt-sibling.service tt-portd.service
sib=$(prop tt-sibling.service MainPID)
wait_until 15 eval '[ -n "$(holders 8080)" ]'
old=$(prop tt-portd.service MainPID)
is "$(tfield portd TETHER_PID)" "$old" "route: tether exec recorded the unit's MainPID"
is "$(tfield portd TETHER_OWNER)" systemd "route: the record's owner is systemd"
is "$(C tether detect "$old")" "owner=systemd unit=tt-portd.service scope=system" \
	"detect PID of a unit's daemon from outside (its environ): systemd"
hp=$(host_pid "$old")
diag "portd on the host: pid $hp, $(grep '^0::' /proc/"$hp"/cgroup 2>/dev/null)"
is "$(T detect "$hp")" "owner=systemd unit=tt-portd.service scope=system" \
	"detect from the host: the container's cgroup prefix still yields the unit"
out=$(C tether restart -n portd 2>&1); rc=$?
is "$rc" 0 "route: tether restart -n portd completes (0)"
new=$(prop tt-portd.service MainPID)
like "$out" "portd restarted via systemd: pid $old -> $new" "route: reports old and new pid ($out)"
ok "$([ "$new" -gt 0 ] && [ "$new" != "$old" ]; echo $?)" "route: the unit has a new MainPID ($old -> $new)"
is "$(tfield portd TETHER_PID)" "$new" "route: the record names the new MainPID"
wait_until 15 eval '[ "$(holders 8080)" = "$new" ]'
is "$(holders 8080)" "$new" "route: exactly one process holds port 8080, the unit's MainPID"
is "$(lines portd.spawns)" 2 "route: the daemon was spawned twice in all (start, restart): never double-spawned"
is "$(prop tt-portd.service NRestarts)" 0 "route: no crash-restart by systemd"
is "$(unit_procs tt-portd.service)" "$new" "route: the unit's cgroup holds the new daemon only"
ok "$(C sh -c 'kill -0 "$1"' sh "$old" 2>/dev/null; [ $? -ne 0 ]; echo $?)" "route: the old daemon is gone"
is "$(prop tt-sibling.service MainPID)" "$sib" "route: the sibling unit is untouched"
C systemctl stop tt-portd.service
out=$(C tether restart -n portd 2>&1); rc=$?
is "$rc" 0 "route: restarting a unit stopped by systemctl starts it (0: $out)"
# the daemon binds after systemd reports it started: wait for the bind
wait_until 15 eval '[ -n "$(holders 8080)" ]'
is "$(holders 8080)" "$(prop tt-portd.service MainPID)" "route: again one process holds port 8080, the unit's MainPID"
C tether stop -n portd >/dev/null 2>&1
is "$?" 0 "stop: tether stop -n portd completes (0)"
sleep 1
is "$(prop tt-portd.service ActiveState)/$(holders 8080)" "inactive/" \
	"stop: through systemctl, so Restart=always does not bring it back (1 s later: inactive, port free)"
diag "systemctl route done at $(elapsed)"

# --- two records in one unit restart it once ---
C systemctl start tt-dup.service
wait_until 15 eval '[ "$(tfield dup1 TETHER_STATE)" = running ] && [ "$(tfield dup2 TETHER_STATE)" = running ]'
d1=$(tfield dup1 TETHER_PID) d2=$(tfield dup2 TETHER_PID)
out=$(C tether restart -n dup1 -n dup2 2>&1); rc=$?
is "$rc" 0 "dedup: tether restart -n dup1 -n dup2 completes (0)"
diag "dedup: $(echo "$out" | tr '\n' ';')"
is "$(lines dup.spawns)" 2 "dedup: the shared unit was restarted once"
ok "$([ "$(tfield dup1 TETHER_PID)" != "$d1" ] && [ "$(tfield dup2 TETHER_PID)" != "$d2" ]; echo $?)" \
	"dedup: both daemons have a new identity"
is "$(prop tt-sibling.service MainPID)" "$sib" "dedup: the sibling unit is untouched"
diag "dedup done at $(elapsed)"

# --- a templated unit with an escaped instance name ---
tmpl='tt-tmpl@a-b\x2dc.service'
C systemctl start "$tmpl"
wait_until 15 eval '[ "$(tfield tmpl TETHER_STATE)" = running ]'
old=$(prop "$tmpl" MainPID)
is "$(C tether detect "$old")" "owner=systemd unit=$tmpl scope=system" \
	"template: detect names the instance as systemd writes it (\\x2d kept)"
C tether restart -n tmpl >/dev/null 2>&1
is "$?" 0 "template: tether restart completes (0)"
new=$(prop "$tmpl" MainPID)
ok "$([ "$new" -gt 0 ] && [ "$new" != "$old" ] && [ "$(tfield tmpl TETHER_PID)" = "$new" ]; echo $?)" \
	"template: the instance restarted ($old -> $new), the record follows"
diag "template done at $(elapsed)"

# --- self-restart from inside the unit: handed off, caller survives ---
C systemctl start tt-self.service
wait_until 15 eval '[ "$(lines self.spawns)" = 1 ]'
old=$(prop tt-self.service MainPID)
old_start=$(tfield self TETHER_START)
is "$(tfield self TETHER_PID)" "$old" "self: the record names the unit's MainPID"
C sh -c 'kill -USR1 "$1"' sh "$old"
wait_until 15 eval '[ "$(lines self.spawns)" -ge 2 ] && [ "$(tfield self TETHER_STATE)" = running ] &&
	[ "$(tfield self TETHER_PID)" = "$(prop tt-self.service MainPID)" ]'
is "$(C cat $run/self.rc)" "rc=150" "self: tether restart from inside returned 150 (scheduled), and its caller lived to log it"
like "$(C cat $run/self.out)" "restart scheduled: handed off to transient unit tether-restart-*" \
	"self: handed off to a transient unit"
new=$(prop tt-self.service MainPID)
ok "$([ "$new" -gt 0 ] && [ "$new" != "$old" ]; echo $?)" "self: the unit restarted afterwards ($old -> $new)"
ok "$([ "$(tfield self TETHER_PID)" = "$new" ] && [ "$(tfield self TETHER_START)" != "$old_start" ]; echo $?)" \
	"self: the record has the new identity"
is "$(lines self.spawns)" 2 "self: exactly one restart"
wait_until 15 eval '[ -z "$(C systemctl list-units --all --plain --no-legend "tether-restart-*")" ]'
is "$(C systemctl list-units --all --plain --no-legend 'tether-restart-*')" "" "self: the transient unit is gone"
is "$(prop tt-sibling.service MainPID)" "$sib" "self: the sibling unit is untouched"
diag "self-restart done at $(elapsed)"

# --- the shipped example unit ---
if [ -f "$demo_unit" ]; then
	C systemctl start tether-demo.service
	is "$(prop tether-demo.service ActiveState)" active "tether-demo.service: starts"
	C systemctl status tether-demo.service >/dev/null 2>&1
	is "$?" 0 "tether-demo.service: systemctl status says running"
	wait_until 15 eval '[ "$(tfield tether-demo TETHER_STATE)" = running ]'
	old=$(prop tether-demo.service MainPID)
	# The demo is a shell script: a TERM before its trap is set kills it
	# without a word. Act on it only once the trap shows on the host.
	trapped() { _hp=$(host_pid "$1") && sig_set "$_hp" SigCgt 15; }
	wait_until 15 trapped "$old"
	is "$(tfield tether-demo TETHER_PID)" "$old" "tether-demo: the record names the unit's MainPID"
	C tether restart -n tether-demo >/dev/null 2>&1
	is "$?" 0 "tether-demo: tether restart completes (0)"
	new=$(prop tether-demo.service MainPID)
	ok "$([ "$new" -gt 0 ] && [ "$new" != "$old" ]; echo $?)" "tether-demo: new MainPID ($old -> $new)"
	demo_log() { C journalctl -q -u tether-demo.service -o cat 2>/dev/null; }
	wait_until 15 eval 'demo_log | grep -q "restart expected"'
	like "$(demo_log)" "*TERM: restart expected*" "tether-demo: the daemon saw the restart marker on TERM"
	wait_until 15 trapped "$new"
	C tether stop -n tether-demo >/dev/null 2>&1
	is "$?" 0 "tether-demo: tether stop completes (0)"
	is "$(prop tether-demo.service ActiveState)" inactive "tether-demo: the unit is stopped, not restarted"
	wait_until 15 eval 'demo_log | grep -q "TERM: stopping"'
	like "$(demo_log)" "*TERM: stopping*" "tether-demo: no marker on a stop"
else
	skip "tether-demo.service" "rootfs-overlay has no tether-demo.service"
fi

# --- tether update: swap the binary, restart the unit, verify, roll back ---
# updd/updd2: copies of the container's sleep; the new version is the same
# bytes plus a marker (new content, new inode); the one that dies at once
# is a copy of true.
# comm_procs COMM: the live pids whose comm is COMM, ascending.
comm_procs() {
	C sh -c 'for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] || continue
		case $(sed "s/.*) //" "$d/stat" 2>/dev/null | cut -d" " -f1) in Z|X|"") ;; *) echo "${d#/proc/}" ;; esac
	done' sh "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'
}
sorted() { echo "$*" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//'; }  # sorted WORDS...
exe_ino() { C stat -L -c %i "/proc/$1/exe" 2>/dev/null; }
ino() { C stat -c %i "$1"; }
same() { C cmp -s "$1" "$2"; }
C sh -c 'cp /usr/bin/sleep /usr/local/bin/updd && cp /usr/bin/sleep /usr/local/bin/updd2 &&
	{ cat /usr/bin/sleep; printf tether-update-v2; } >/tmp/updd.new && chmod 755 /tmp/updd.new &&
	cp /tmp/updd.new /tmp/updd2.new && cp /bin/true /tmp/updd.dies'
C systemctl start tt-upd.service
wait_until 15 eval '[ "$(tfield upd TETHER_STATE)" = running ]'
old=$(prop tt-upd.service MainPID)
is "$(tfield upd TETHER_PID)/$(exe_ino "$old")" "$old/$(ino /usr/local/bin/updd)" \
	"update: the record names the unit's MainPID, which runs updd"
out=$(C tether update -n upd --binary /tmp/updd.new --settle 1 2>&1); rc=$?
is "$rc" 0 "update: tether update -n upd --binary /tmp/updd.new --settle 1 completes (0)"
new=$(prop tt-upd.service MainPID)
like "$out" "upd updated via systemd: pid $old -> $new" "update: reports old and new pid ($out)"
ok "$([ "$new" -gt 0 ] && [ "$new" != "$old" ]; echo $?)" "update: the unit has a new MainPID ($old -> $new)"
is "$(exe_ino "$new")" "$(ino /usr/local/bin/updd)" "update: the MainPID runs the new binary (its exe is the target's inode)"
ok "$(same /usr/local/bin/updd /tmp/updd.new; echo $?)" "update: the target holds the new bytes"
ok "$(same /usr/local/bin/updd.tether-old /usr/bin/sleep; echo $?)" "update: updd.tether-old holds the old binary"
is "$(comm_procs updd)" "$new" "update: exactly one updd runs, the unit's MainPID"
is "$(unit_procs tt-upd.service)" "$new" "update: it is in the unit's own cgroup, nothing else is (no detached copy)"
is "$(C systemctl list-units --all --plain --no-legend 'tether-*')" "" "update: no transient unit"
is "$(tfield upd TETHER_PID)" "$new" "update: the record names the new MainPID"
is "$(lines upd.spawns)/$(prop tt-upd.service NRestarts)" "2/0" \
	"update: the unit started twice in all (start, update), never crash-restarted"
is "$(prop tt-sibling.service MainPID)" "$sib" "update: the sibling unit is untouched"
diag "update done at $(elapsed)"

out=$(C tether update -n upd --binary /tmp/updd.dies --settle 1 -t 3 2>&1); rc=$?
is "$rc" 153 "rollback: a new binary that exits at once is rolled back (153)"
diag "rollback: $(echo "$out" | tr '\n' ';')"
like "$out" "*upd*rolling back*" "rollback: naming the daemon that failed"
ok "$(same /usr/local/bin/updd /tmp/updd.new; echo $?)" "rollback: the previous binary is back at the target"
back=$(prop tt-upd.service MainPID)
ok "$([ "$(prop tt-upd.service ActiveState)" = active ] && [ "$back" -gt 0 ] && [ "$back" != "$new" ]; echo $?)" \
	"rollback: the unit runs again ($new -> $back)"
is "$(exe_ino "$back")" "$(ino /usr/local/bin/updd)" "rollback: from the restored binary"
is "$(comm_procs updd)" "$back" "rollback: exactly one updd runs, the unit's MainPID"
is "$(unit_procs tt-upd.service)" "$back" "rollback: in the unit's own cgroup"
is "$(tfield upd TETHER_PID)" "$back" "rollback: the record names it"
is "$(lines upd.spawns)" 4 "rollback: two more starts (the dying binary, the restored one)"
C systemctl stop tt-upd.service
diag "rollback done at $(elapsed)"

C systemctl start tt-upd2.service
wait_until 15 eval '[ "$(tfield upda TETHER_STATE)" = running ] && [ "$(tfield updb TETHER_STATE)" = running ]'
a0=$(tfield upda TETHER_PID) b0=$(tfield updb TETHER_PID)
out=$(C tether update -n upda -n updb --binary /tmp/updd2.new --settle 1 2>&1); rc=$?
is "$rc" 0 "update dedup: tether update -n upda -n updb completes (0)"
diag "update dedup: $(echo "$out" | tr '\n' ';')"
is "$(lines upd2.spawns)" 2 "update dedup: the shared unit was restarted once"
a1=$(tfield upda TETHER_PID) b1=$(tfield updb TETHER_PID)
ok "$([ "$a1" -gt 0 ] && [ "$a1" != "$a0" ] && [ "$b1" -gt 0 ] && [ "$b1" != "$b0" ]; echo $?)" \
	"update dedup: both daemons have a new identity ($a0 -> $a1, $b0 -> $b1)"
i=$(ino /usr/local/bin/updd2)
is "$(exe_ino "$a1") $(exe_ino "$b1")" "$i $i" "update dedup: both run the new binary"
is "$(comm_procs updd2)" "$(sorted "$a1" "$b1")" "update dedup: exactly those two updd2 run"
is "$(sorted "$(unit_procs tt-upd2.service)")" "$(sorted "$(prop tt-upd2.service MainPID)" "$a1" "$b1")" \
	"update dedup: in the unit's cgroup with its new main process, nothing else"
ok "$(same /usr/local/bin/updd2.tether-old /usr/bin/sleep; echo $?)" "update dedup: updd2.tether-old holds the old binary"
C systemctl stop tt-upd2.service
diag "update dedup done at $(elapsed)"
diag "all done at $(elapsed)"

teardown
# Every process of the container, the detached copy included.
in_container() {
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/ns/pid" 2>/dev/null)" = "$pidns" ] && alive "${_d#/proc/}" && echo "${_d#/proc/}"
	done
}
is "$(in_container | tr '\n' ' ')" "" "the container is gone: no process left in its pid namespace"
left=
for d in $made_cgroups; do [ -d "$d" ] && left="$left $d"; done
is "$left" "" "its private cgroups are removed"
done_testing
