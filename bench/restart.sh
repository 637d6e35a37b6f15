#!/bin/sh
# 5. Restart latency: the time from `tether restart -n NAME` until the new
# identity is observable, per owner, against the owner's own command, in
# alternating rounds. bench/restart_probe.c times every command the same
# way: from its fork until it has exited and a new `sleep TOKEN` (the
# daemon) is alive and exec'd. The daemons of runit and s6 run
# `tether exec -n NAME -- sleep TOKEN`, as a real run script would, so
# both sides restart the very same service.
# shellcheck source=bench/lib.sh
. "$BENCH_TOP/bench/lib.sh"
ROUNDS=$(pick 1 10)
# runsv restarts a service that ran less than a second only after a
# second: each round starts after the daemon has been up that long.
RUNIT_PAUSE=1.1
W=$BENCH_WORK/restart
mkdir -p "$W"
export TETHER_STATE_DIR="$BENCH_STATE/restart"
SLEEP=$(command -v sleep)
PROBE=$BENCH_BIN/restart_probe

# probe SIDE TOKEN CMD...: one timed restart; its ms appended to W/SIDE.
probe() {
	_side=$1 _tok=$2
	shift 2
	# shellcheck disable=SC2086 # PROBE may be a command line (C ...)
	if _r=$($PROBE "$_tok" -- "$@" 2>>"$W/$_side.err"); then
		# shellcheck disable=SC2086 # MS OLDPID NEWPID LIVE STATUS
		set -- $_r
		echo "$1" >>"$W/$_side"
		[ "$4" = 1 ] || echo "$4" >>"$W/$_side.copies"
	else
		[ -z "$_r" ] || echo "restart_probe printed: $_r" >>"$W/$_side.err"
	fi
}
# report ID OWNER ANCHOR_LABEL TETHER_SIDE ANCHOR_SIDE
report() {
	touch "$W/$4" "$W/$5"
	_t=$(median <"$W/$4") _a=$(median <"$W/$5") _n=$(wc -l <"$W/$4")
	if [ -z "$_t" ]; then
		row 5 "tether restart, owner $2" "error: $(tail -n 1 "$W/$4.err" 2>/dev/null)" "$3" "${_a:+$_a ms}" "-" "-" "-"
		return
	fi
	if [ -z "$_a" ]; then
		row 5 "tether restart, owner $2, median of $_n" "$_t ms" "$3" "error: $(tail -n 1 "$W/$5.err" 2>/dev/null)" "-" "-" "-"
		return
	fi
	_o=$(awk -v t="$_t" -v a="$_a" 'BEGIN { printf "%+.1f ms", t - a }')
	_c="one live daemon after every restart"
	[ -s "$W/$4.copies" ] && _c="FAIL: $(sort -u "$W/$4.copies" | tr '\n' ' ')live copies seen"
	row 5 "tether restart, owner $2, median of $_n" "$(printf '%.1f ms' "$_t")" "$3" "$(printf '%.1f ms' "$_a")" \
		"$(ratio "$_t" "$_a")" "-" "tether's overhead $_o; $_c"
}

# Owner none: tether stops by identity and spawns from the record; the
# anchor is start-stop-daemon doing the same with a pidfile.
ta=$(token) tb=$(token)
"$TETHER" start -n plain -- sleep "$ta" >/dev/null
start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$W/plain.pid" --exec "$SLEEP" -- "$tb"
wait_until 5 pid_of_token "$tb" >/dev/null
ssd_restart="start-stop-daemon --stop --quiet --retry TERM/10/KILL/5 --pidfile $W/plain.pid --remove-pidfile && start-stop-daemon --start --quiet --background --make-pidfile --pidfile $W/plain.pid --exec $SLEEP -- $tb"
say "restart: owner none, $ROUNDS rounds"
for _ in $(seq "$ROUNDS"); do
	probe none.tether "$ta" "$TETHER" restart -n plain
	probe none.ssd "$tb" sh -c "$ssd_restart"
done
cmd 5 "restart_probe TOKEN_A -- tether restart -n plain   # daemon: tether start -n plain -- sleep TOKEN_A"
cmd 5 "restart_probe TOKEN_B -- sh -c '$ssd_restart'"
report 5 none "start-stop-daemon --stop --retry, then --start (sh -c)" none.tether none.ssd
"$TETHER" stop -n plain >/dev/null
start-stop-daemon --stop --quiet --retry TERM/5/KILL/5 --pidfile "$W/plain.pid" --remove-pidfile

# runit (real runsvdir): sv restart (which polls its status), and the bare
# request sv and tether both send: "tcu" into supervise/control.
if have runsvdir && have sv; then
	tc=$(token)
	add_service "$W/runit" web "$TETHER exec -n web-runit -- sleep $tc"
	start_scanner runit "$W/runit"
	rsv=$scanner_pid
	if wait_until 10 "$TETHER" status -n web-runit >/dev/null 2>&1; then
		say "restart: runit, $ROUNDS rounds"
		for _ in $(seq "$ROUNDS"); do
			sleep $RUNIT_PAUSE
			probe runit.tether "$tc" "$TETHER" restart -n web-runit
			sleep $RUNIT_PAUSE
			probe runit.sv "$tc" sv restart "$W/runit/web"
			sleep $RUNIT_PAUSE
			probe runit.tcu "$tc" sh -c "printf tcu > $W/runit/web/supervise/control"
		done
		cmd 5 "runsvdir \$W/runit; ./run: exec tether exec -n web-runit -- sleep TOKEN_C; a pause of ${RUNIT_PAUSE} s before each of:"
		cmd 5 "restart_probe TOKEN_C -- tether restart -n web-runit"
		cmd 5 "restart_probe TOKEN_C -- sv restart \$W/runit/web"
		cmd 5 "restart_probe TOKEN_C -- sh -c 'printf tcu > \$W/runit/web/supervise/control'"
		report 5 runit "sv restart DIR" runit.tether runit.sv
		report 5 "runit (bare request)" "printf tcu > DIR/supervise/control" runit.tether runit.tcu
	else
		row 5 "tether restart, owner runit" "error: the runit service did not come up" "-" "-" "-" "-" "-"
	fi
	stop_scanner runit "$W/runit" "$rsv"
else
	row 5 "tether restart, owner runit" "n/a (runit missing)" "-" "-" "-" "-" "-"
fi

# s6 (real s6-svscan): s6-svc -r -wr waits for the restart event (no
# polling); bare s6-svc -r returns at once and the probe waits. s6-supervise
# waits a second after the daemon dies before it respawns it.
if have s6-svscan && have s6-svc; then
	td=$(token)
	add_service "$W/s6" web "$TETHER exec -n web-s6 -- sleep $td"
	start_scanner s6 "$W/s6"
	s6p=$scanner_pid
	if wait_until 10 "$TETHER" status -n web-s6 >/dev/null 2>&1; then
		say "restart: s6, $ROUNDS rounds"
		for _ in $(seq "$ROUNDS"); do
			probe s6.tether "$td" "$TETHER" restart -n web-s6
			probe s6.svc "$td" s6-svc -r -wr "$W/s6/web"
			probe s6.bare "$td" s6-svc -r "$W/s6/web"
		done
		cmd 5 "s6-svscan \$W/s6; ./run: exec tether exec -n web-s6 -- sleep TOKEN_D"
		cmd 5 "restart_probe TOKEN_D -- tether restart -n web-s6"
		cmd 5 "restart_probe TOKEN_D -- s6-svc -r -wr \$W/s6/web"
		cmd 5 "restart_probe TOKEN_D -- s6-svc -r \$W/s6/web"
		report 5 s6 "s6-svc -r -wr DIR" s6.tether s6.svc
		report 5 "s6 (bare request)" "s6-svc -r DIR, then wait" s6.tether s6.bare
	else
		row 5 "tether restart, owner s6" "error: the s6 service did not come up" "-" "-" "-" "-" "-"
	fi
	stop_scanner s6 "$W/s6" "$s6p"
else
	row 5 "tether restart, owner s6" "n/a (s6 missing)" "-" "-" "-" "-" "-"
fi

# tether supervise: its own client (--send restart) returns once the
# supervisor has the request; the probe then waits for the new child.
if "$TETHER" supervise --help >/dev/null 2>&1; then
	te=$(token)
	"$TETHER" supervise -n bench-sup -- web-sup sleep "$te" </dev/null >/dev/null 2>"$W/supervise.log" &
	sup=$!
	track "$sup"
	if wait_until 10 "$TETHER" status -n web-sup >/dev/null 2>&1; then
		say "restart: tether supervise, $ROUNDS rounds"
		for _ in $(seq "$ROUNDS"); do
			probe sup.tether "$te" "$TETHER" restart -n web-sup
			probe sup.send "$te" "$TETHER" supervise -n bench-sup --send restart --child web-sup
		done
		cmd 5 "tether supervise -n bench-sup -- web-sup sleep TOKEN_E &"
		cmd 5 "restart_probe TOKEN_E -- tether restart -n web-sup"
		cmd 5 "restart_probe TOKEN_E -- tether supervise -n bench-sup --send restart --child web-sup"
		report 5 "tether supervise" "tether supervise --send restart --child CHILD" sup.tether sup.send
	else
		row 5 "tether restart, owner tether supervise" "error: the supervised child did not come up" "-" "-" "-" "-" "-"
	fi
	kill -TERM "$sup"
	wait "$sup"
else
	row 5 "tether restart, owner tether supervise" "n/a (not built)" "-" "-" "-" "-" "-"
fi
# systemd, for real: the bookworm rootfs of tests/systemd/rootfs.sh
# (cached in build/sysroot-systemd; not built here), booted with
# systemd-nspawn on a throwaway overlay as tests/integ/systemd.sh does.
# tether and the probe (both static) run inside; so does the clock.
SYSTEMD_BOOT_TIMEOUT=60
sd_na() { row 5 "tether restart, owner systemd" "n/a ($1)" "systemctl restart UNIT" "-" "-" "-" "-"; }
C() { env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin timeout 60 nsenter -t "$leader" -a "$@"; }
# shellcheck disable=SC2317 # called by wait_until
is_pid1_systemd() {
	for _c in $(cat /proc/"$nsp"/task/*/children 2>/dev/null); do
		[ "$(cat /proc/"$_c"/comm 2>/dev/null)" = systemd ] && { leader=$_c; return 0; }
	done
	return 1
}
# shellcheck disable=SC2317 # called by wait_until
booted() { C systemctl is-system-running --wait >"$W/sd.state" 2>&1; grep -qE '^(running|degraded)$' "$W/sd.state"; }
systemd_restart() {
	root=$BENCH_TOP/build/sysroot-systemd
	if smoke; then sd_na "smoke: only make bench boots the container"; return; fi
	[ "$(id -u)" = 0 ] || { sd_na "needs root"; return; }
	for _t in systemd-nspawn nsenter flock timeout tar; do have $_t || { sd_na "$_t missing"; return; }; done
	[ -f "$root/.tether-rootfs" ] || { sd_na "no rootfs in build/sysroot-systemd: tests/systemd/rootfs.sh builds it"; return; }
	exec 8>>"$root.lock"
	flock -s 8
	systemd-nspawn -q -D "$root" -M "tether-bench-$$" -b --register=no --keep-unit \
		--volatile=overlay --private-network --console=pipe </dev/null >"$W/nspawn.log" 2>&1 &
	nsp=$! leader=
	if ! wait_until $SYSTEMD_BOOT_TIMEOUT is_pid1_systemd || ! wait_until $SYSTEMD_BOOT_TIMEOUT booted; then
		sd_na "systemd-nspawn did not boot: $(tail -n 1 "$W/nspawn.log")"
	else
		tf=$(token)
		stage=$W/stage
		mkdir -p "$stage/usr/sbin" "$stage/usr/local/bin" "$stage/etc/systemd/system"
		cp "$TETHER" "$stage/usr/sbin/tether"
		cp "$BENCH_BIN/restart_probe" "$stage/usr/local/bin/"
		printf '[Unit]\nDescription=tether benchmark daemon\nStartLimitIntervalSec=0\n\n[Service]\nExecStart=/usr/sbin/tether exec -n web-sd -- sleep %s\n' \
			"$tf" >"$stage/etc/systemd/system/bench-web.service"
		(cd "$stage" && tar -cf - usr etc) | C tar -C / -xf -
		C systemctl daemon-reload
		C systemctl start bench-web.service
		# shellcheck disable=SC2317 # called by wait_until
		sd_up() { C tether status -n web-sd >/dev/null 2>&1; }
		if wait_until 10 sd_up; then
			say "restart: systemd (nspawn), $ROUNDS rounds"
			PROBE="C /usr/local/bin/restart_probe"
			for _ in $(seq "$ROUNDS"); do
				probe sd.tether "$tf" tether restart -n web-sd
				probe sd.systemctl "$tf" systemctl restart bench-web.service
			done
			PROBE=$BENCH_BIN/restart_probe
			cmd 5 "systemd-nspawn -D build/sysroot-systemd -b --volatile=overlay ...; bench-web.service: ExecStart=/usr/sbin/tether exec -n web-sd -- sleep TOKEN_F; inside (nsenter -a):"
			cmd 5 "restart_probe TOKEN_F -- tether restart -n web-sd"
			cmd 5 "restart_probe TOKEN_F -- systemctl restart bench-web.service"
			report 5 "systemd (nspawn container)" "systemctl restart UNIT" sd.tether sd.systemctl
		else
			sd_na "bench-web.service did not come up in the container"
		fi
	fi
	kill -TERM "$nsp" 2>/dev/null
	wait_until 15 dead "$nsp" || {
		[ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null
		kill -KILL "$nsp" 2>/dev/null
	}
	wait "$nsp" 2>/dev/null
	flock -u 8
}
systemd_restart
note 5 "restart_probe starts its clock at the fork of the command and stops it once the command has exited and a new \`sleep TOKEN\` is alive and exec'd (polled every 0.2 ms after the exit, so the probe takes no CPU from the command). tether restart returns once the owner reports the new identity (it polls the record every 20 ms). The whole section runs under bench/reaper.c, a child subreaper that reaps at once as a real init does: this machine's PID 1 reaps orphans late, and start-stop-daemon --retry would wait for the zombie."
exit 0
