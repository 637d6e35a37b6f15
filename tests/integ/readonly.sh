#!/bin/sh
# A read-only state dir (a read-only rootfs whose /var/run is not a tmpfs,
# or a state dir remounted read-only): a real read-only bind mount in a
# private mount namespace. What only reads works; what must write fails
# with one clear line and a non-zero exit, and leaves nothing behind;
# tether exec still runs the daemon.
if [ -z "$RO_NS" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	RO_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$TETHER_SRC/tests/integ/lib.sh"
[ "$RO_NS" = 1 ] || skip_all "needs root and unshare -m, for a read-only bind mount"
tag="7$$"
S=$TETHER_STATE_DIR

T start -n live -- sleep "${tag}1"; is $? 0 "start a daemon (writable state dir)"
live=$(pid_of live); track "$live"
T start -n gone -- sleep "${tag}2"; is $? 0 "start another"
gone=$(pid_of gone); track "$gone"
kill -9 "$gone"
dead() { ! alive "$gone"; }
wait_until 15 dead
ok $? "the second one is killed, its record stays"

mount --bind "$S" "$S" && mount -o remount,bind,ro "$S" || skip_all "cannot remount $S read-only"
trap 'umount "$S"; _cleanup' EXIT
if touch "$S/probe" 2>/dev/null; then skip_all "$S is still writable after remount,ro"; fi
before=$(ls -A "$S" | tr '\n' ' ')

out=$(T status -n live 2>&1); rc=$?
is "$rc" 0 "status of a live daemon exits 0"
like "$out" "live running pid=$live *" "and says running"
out=$(T status -n gone 2>&1); rc=$?
is "$rc" 1 "status of a dead one exits 1 (dead, record exists)"
out=$(T list 2>&1); rc=$?
is "$rc" 0 "list exits 0"
like "$out" "*gone dead pid=$gone*live running pid=$live*" "and lists both"

T list --prune >"$TMP/out" 2>"$TMP/err"; rc=$?
is "$rc" 1 "list --prune exits 1 when it cannot prune"
like "$(cat "$TMP/out")" "*gone dead pid=$gone*live running pid=$live*" \
	"and still lists the record it could not prune"
is "$(wc -l <"$TMP/err" | tr -d ' ')" 1 "one line on stderr"
like "$(cat "$TMP/err")" "tether: list: *gone.lock*Read-only file system" "naming the file and the reason"

T start -n new -- sleep "${tag}3" 2>"$TMP/err"; rc=$?
is "$rc" 1 "start exits 1"
is "$(wc -l <"$TMP/err" | tr -d ' ')" 1 "one line on stderr"
like "$(cat "$TMP/err")" "tether: start: *Read-only file system" "saying why"
ok "$(pgrep -f "sleep ${tag}3" >/dev/null && echo 1 || echo 0)" "and spawns nothing"

T restart -n live >/dev/null 2>"$TMP/err"; rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "restart by record fails (exit $rc)"
like "$(cat "$TMP/err")" "*Read-only file system*" "saying why"
ok "$(alive "$live"; echo $?)" "and leaves the daemon running"
is "$(pid_of live)" "$live" "with its record"

out=$(T exec -n viaexec -- sh -c 'echo ran; exit 7' 2>"$TMP/err"); rc=$?
is "$rc" 7 "exec still runs the daemon: its exit status comes back"
is "$out" ran "it ran"
like "$(cat "$TMP/err")" "*viaexec not recorded*" "and exec says it is not recorded"

T stop -n live -t 5 2>"$TMP/err"; rc=$?
is "$rc" 0 "stop exits 0: the daemon is stopped"
stopped() { ! alive "$live"; }
wait_until 15 stopped
ok $? "it is gone"
like "$(cat "$TMP/err")" "*live.cbor*Read-only file system*" "stop says the record could not be removed"
out=$(T status -n live 2>&1); rc=$?
is "$rc" 1 "status then says dead (exit 1), not running"

is "$(ls -A "$S" | tr '\n' ' ')" "$before" "nothing in the state dir changed: no temp files, locks or markers"

# A state dir that does not exist, under a read-only parent.
sub="$S/sub"
out=$(T --state-dir "$sub" status -n x 2>&1); rc=$?
is "$rc" 3 "no state dir: status exits 3 (not running)"
out=$(T --state-dir "$sub" list 2>&1); rc=$?
is "$rc:$out" "0:" "no state dir: list prints nothing, exits 0"
out=$(T --state-dir "$sub" exec -n x -- sh -c 'exit 5' 2>"$TMP/err"); rc=$?
is "$rc" 5 "exec runs the daemon"
like "$(cat "$TMP/err")" "*mkdir $sub: Read-only file system*x not recorded: state dir unusable*" \
	"saying the state dir cannot be made"
T --state-dir "$sub" start -n x -- sleep "${tag}4" 2>"$TMP/err"; rc=$?
is "$rc" 1 "start exits 1"
like "$(cat "$TMP/err")" "tether: start: mkdir $sub: Read-only file system" "with one line"
ok "$(pgrep -f "sleep ${tag}4" >/dev/null && echo 1 || echo 0)" "and spawns nothing"
done_testing
