#!/bin/sh
# tether update against real processes: atomic swap, restart through the
# owner (none, runit, s6), verification, rollback, refusal up front, and
# SIGKILL at random points of the swap.
. "$TETHER_SRC/tests/integ/lib.sh"
tag="7$$"
B="$TMP/bin"
mkdir -p "$B"
SLEEP=$(command -v sleep)
# Two builds of "the daemon": the same program, different bytes/inodes.
cp "$SLEEP" "$TMP/v1"
cp "$SLEEP" "$TMP/v2"; printf 'tether-update-v2' >> "$TMP/v2"
cp /bin/true "$TMP/dies"
cp "$TMP/v1" "$B/daemon"
exe_ino() { stat -L -c %i "/proc/$1/exe" 2>/dev/null; }
count() { _c=0; for _p in $(pgrep -f "$1"); do alive "$_p" && _c=$((_c + 1)); done; echo "$_c"; }
same() { cmp -s "$1" "$2"; }
put() { cp "$1" "$2.tmp" && mv "$2.tmp" "$2"; }  # never "text file busy"

T start -n upd -- "$B/daemon" "${tag}1"
p0=$(pid_of upd); track "$p0"

# --- refused up front: nothing changes ---
printf 'not an elf' > "$TMP/junk"; chmod +x "$TMP/junk"
T update -n upd --binary "$TMP/junk" --settle 0 2>"$TMP/err"; rc=$?
is "$rc" 1 "a non-ELF binary is refused (exit 1)"
like "$(cat "$TMP/err")" "*not an ELF file; nothing changed*" "with the reason"
# Same program, e_machine patched to MIPS (8): the wrong architecture.
cp "$TMP/v2" "$TMP/wrongarch"
printf '\010\000' | dd of="$TMP/wrongarch" bs=1 seek=18 conv=notrunc 2>/dev/null
T update -n upd --binary "$TMP/wrongarch" --settle 0 2>"$TMP/err"; rc=$?
is "$rc" 1 "a binary for another architecture is refused"
like "$(cat "$TMP/err")" "*e_machine*" "naming the machine mismatch"
# e_machine 8 is MIPS: use build/mips/tether only if it really is one.
if [ -x "$TETHER_SRC/build/mips/tether" ] && [ "$(od -An -tu1 -j19 -N1 "$TETHER_SRC/build/mips/tether" | tr -d ' ')" = 8 ]; then
	T update -n upd --binary "$TETHER_SRC/build/mips/tether" --settle 0 2>/dev/null; is $? 1 "a cross-built (mips) tether is refused"
else
	skip "a cross-built (mips) tether is refused" "build/mips/tether not built"
fi
cp "$TMP/v2" "$TMP/noexec"; chmod -x "$TMP/noexec"
T update -n upd --binary "$TMP/noexec" --settle 0 2>/dev/null; is $? 1 "a non-executable binary is refused"
T update -n upd --binary "$B/daemon" --settle 0 2>/dev/null; is $? 1 "the target itself is refused"
ok "$(same "$B/daemon" "$TMP/v1"; echo $?)" "after every refusal the target is untouched"
is "$(pid_of upd)" "$p0" "and the daemon was not restarted"

# --- dry run ---
out=$(T update -n upd --binary "$TMP/v2" --dry-run); rc=$?
is "$rc" 0 "--dry-run exits 0"
like "$out" "*install $TMP/v2 over $B/daemon*upd running pid=$p0 via owner=none*" "and prints the plan and route"
ok "$(same "$B/daemon" "$TMP/v1"; echo $?)" "--dry-run changes nothing"

# --- a good update on the unsupervised path ---
out=$(T update -n upd --binary "$TMP/v2" --settle 1); rc=$?
is "$rc" 0 "update exits 0"
p1=$(pid_of upd); track "$p1"
like "$out" "upd updated via none: pid $p0 -> $p1" "and reports old and new pid"
ok "$(same "$B/daemon" "$TMP/v2"; echo $?)" "the target now holds the new binary"
ok "$(same "$B/daemon.tether-old" "$TMP/v1"; echo $?)" "the old binary is kept as .tether-old"
is "$(exe_ino "$p1")" "$(stat -c %i "$B/daemon")" "the new daemon runs the new binary"
is "$(count "${tag}1")" 1 "exactly one daemon afterwards"

# --- a new binary that exits at once: rolled back ---
t0=$(date +%s)
T update -n upd --binary "$TMP/dies" --settle 1 >/dev/null 2>"$TMP/err"; rc=$?
t1=$(date +%s)
is "$rc" 153 "a binary that exits at once is rolled back (153)"
ok "$([ $((t1 - t0)) -lt 15 ] && echo 0 || echo 1)" "without waiting out the 30 s restart timeout ($((t1 - t0)) s)"
like "$(cat "$TMP/err")" "*new process exited at once*" "saying the new process exited at once"
like "$(cat "$TMP/err")" "*upd*rolling back*" "naming the daemon that failed"
ok "$(same "$B/daemon" "$TMP/v2"; echo $?)" "the previous binary is back at the target"
p2=$(pid_of upd); track "$p2"
ok "$(alive "$p2"; echo $?)" "and the daemon runs again"
is "$(exe_ino "$p2")" "$(stat -c %i "$B/daemon")" "from the restored binary"

# --- a health check that hangs: rolled back ---
cp "$TMP/v1" "$TMP/v3"; printf 'v3' >> "$TMP/v3"
T update -n upd --binary "$TMP/v3" --settle 0 --health-cmd 'sleep 30' --health-timeout 1 >/dev/null 2>"$TMP/err"; rc=$?
is "$rc" 153 "a hanging health check rolls back (153)"
like "$(cat "$TMP/err")" "*health check timed out*" "saying the health check timed out"
ok "$(same "$B/daemon" "$TMP/v2"; echo $?)" "the previous binary is back"
p3=$(pid_of upd); track "$p3"
ok "$(alive "$p3"; echo $?)" "and the daemon runs"
T update -n upd --binary "$TMP/v3" --settle 0 --health-cmd 'test "$TETHER_NAME" = upd && kill -0 "$TETHER_PID"' >/dev/null; rc=$?
is "$rc" 0 "a passing health check (it sees TETHER_NAME and TETHER_PID) completes the update"
# What exec gave the hook (/proc/$$/environ: before sh folds duplicates),
# with tether itself given TETHER_NAME and TETHER_PID twice each.
ENVDUP=$TETHER_HELPERS/env_dup
if [ -x "$ENVDUP" ]; then
	"$ENVDUP" TETHER_NAME=stale1 TETHER_PID=1 TETHER_NAME=stale2 TETHER_PID=2 TETHER_TEST_KEEP=a=b -- \
		$TETHER_WRAP "$TETHER" update -n upd --binary "$TMP/v2" --settle 0 \
		--health-cmd "tr '\\000' '\\n' </proc/\$\$/environ >$TMP/hookenv" >/dev/null; rc=$?
	is "$rc" 0 "an update whose hook saves its environment completes"
	is "$(grep -c '^TETHER_NAME=' "$TMP/hookenv")" 1 "the hook gets TETHER_NAME once, though tether had it twice"
	is "$(sed -n 's/^TETHER_NAME=//p' "$TMP/hookenv")" upd "naming the daemon"
	is "$(grep -c '^TETHER_PID=' "$TMP/hookenv")" 1 "and TETHER_PID once"
	is "$(sed -n 's/^TETHER_PID=//p' "$TMP/hookenv")" "$(pid_of upd)" "the daemon's new pid"
	is "$(sed -n 's/^TETHER_TEST_KEEP=//p' "$TMP/hookenv")" "a=b" "other variables pass on, '=' in a value too"
	is "$(cut -d= -f1 "$TMP/hookenv" | sort | uniq -d | tr '\n' ' ')" "" "no key comes twice"
else
	skip "the hook's environment: each key once" "test helper env_dup not built"
fi
T stop -n upd >/dev/null

# --- restart --all --changed: what a package post-install hook runs ---
cp "$SLEEP" "$TMP/other"
T start -n upd -- "$B/daemon" "${tag}1"; q0=$(pid_of upd)
T start -n other -- "$TMP/other" "${tag}4"; o0=$(pid_of other)
put "$TMP/v1" "$B/daemon"
out=$(T restart --all --changed); rc=$?
is "$rc" 0 "restart --all --changed exits 0"
q1=$(pid_of upd)
like "$out" "upd restarted via none: pid $q0 -> $q1" "it restarts the daemon whose binary changed"
is "$(pid_of other)" "$o0" "and leaves the one whose binary did not"
is "$(T restart --all --changed)" "no daemon runs a changed binary" "a second run finds nothing to do"
T stop -n upd >/dev/null; T stop -n other >/dev/null

# --- runit and s6: restart through the supervisor ---
svtest() { # svtest KIND SCANNER
	kind=$1
	sv="$TMP/$kind"; mkdir -p "$sv/svc"
	put "$TMP/v1" "$B/daemon"
	printf '#!/bin/sh\nexec "%s" --state-dir "%s" exec -n %s -- "%s" %s\n' \
		"$TETHER" "$TETHER_STATE_DIR" "$kind" "$B/daemon" "${tag}2" > "$sv/svc/run"
	chmod +x "$sv/svc/run"
	if [ "$kind" = runit ]; then runsvdir -P "$sv" >/dev/null 2>&1 & else s6-svscan "$sv" >/dev/null 2>&1 & fi
	scan=$!; track "$scan"
	wait_until 10 sh -c "'$TETHER' status -n $kind >/dev/null 2>&1"
	k0=$(pid_of "$kind"); sup0=$(awk '{print $4}' "/proc/$k0/stat")
	T update -n "$kind" --binary "$TMP/v2" --settle 1 >"$TMP/out" 2>&1; rc=$?
	is "$rc" 0 "update of a $kind-supervised daemon exits 0"
	k1=$(pid_of "$kind")
	like "$(cat "$TMP/out")" "$kind updated via $kind: pid $k0 -> $k1*" "it was restarted via $kind"
	is "$(awk '{print $4}' "/proc/$k1/stat" 2>/dev/null)" "$sup0" "by the same supervisor process, which tether never replaced"
	is "$(exe_ino "$k1")" "$(stat -c %i "$B/daemon")" "the supervised daemon runs the new binary"
	is "$(count "${tag}2")" 1 "never two copies"
	ok "$(same "$B/daemon.tether-old" "$TMP/v1"; echo $?)" "old binary kept for rollback"
	timeout 2 sh -c 'printf dx > "$1"' sh "$sv/svc/supervise/control"  # down, then exit
	kill "$scan" 2>/dev/null; wait "$scan" 2>/dev/null
	gone2() { [ "$(count "${tag}2")" = 0 ]; }
	wait_until 15 gone2
}
if have runsvdir; then svtest runit; else skip "runit update" "runit not installed"; fi
if have s6-svscan; then svtest s6; else skip "s6 update" "s6 not installed"; fi

# --- SIGKILL during the swap: the target is always a whole binary ---
head -c 8000000 /dev/zero > "$TMP/pad"
cat "$TMP/v1" "$TMP/pad" > "$TMP/big1"; chmod +x "$TMP/big1"
cat "$TMP/v2" "$TMP/pad" > "$TMP/big2"; chmod +x "$TMP/big2"
put "$TMP/big1" "$B/daemon"
T start -n crash -- "$B/daemon" "${tag}3"
# Kill points spread over one updater's whole run, however slow this
# build, the disk (it fsyncs 8 MB) or a loaded machine is: measure one
# first (it installs big2).
t0=$(date +%s%N); "$TETHER" update -n crash --binary "$TMP/big2" --settle 0 >/dev/null 2>&1; t1=$(date +%s%N)
span_us=$(((t1 - t0) / 1000))
diag "one updater takes $span_us us; kills land within 1.5x that"
awk -v us="$span_us" 'BEGIN { srand(); for (i = 0; i < 40; i++) printf "%.6f\n", rand() * us * 1.5 / 1e6 }' > "$TMP/delays"
torn=0 old=0 new=0
while read -r d; do
	if same "$B/daemon" "$TMP/big1"; then next="$TMP/big2"; else next="$TMP/big1"; fi
	"$TETHER" update -n crash --binary "$next" --settle 0 >/dev/null 2>&1 &
	u=$!
	sleep "$d"; kill -9 "$u" 2>/dev/null; wait "$u" 2>/dev/null
	if same "$B/daemon" "$TMP/big1"; then old=$((old + 1))
	elif same "$B/daemon" "$TMP/big2"; then new=$((new + 1))
	else torn=$((torn + 1)); fi
	T status -n crash >/dev/null 2>&1 || T start -n crash -- "$B/daemon" "${tag}3" >/dev/null 2>&1
done < "$TMP/delays"
diag "40 updaters killed at random: target whole big1 $old times, big2 $new times, torn $torn"
is "$torn" 0 "a killed updater never leaves a partial binary at the target"
ok "$([ "$old" -gt 0 ] && [ "$new" -gt 0 ] && echo 0 || echo 1)" "kills landed both before and after the rename"
T stop -n crash >/dev/null 2>&1
for p in $(pgrep -f "${tag}3"); do kill "$p" 2>/dev/null; done

done_testing
