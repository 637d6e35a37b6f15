#!/bin/sh
# A daemon's life on the unsupervised path, against real processes:
# start, status with identity, already running, stop, list, prune, exec.
. "$TETHER_SRC/tests/integ/lib.sh"

count_procs() { # count_procs PATTERN: live (non-zombie) processes whose argv matches
	_c=0
	for _p in $(pgrep -f "$1"); do alive "$_p" && _c=$((_c + 1)); done
	echo "$_c"
}
# GNU sleep sums its arguments, so a unique duration tags each daemon.
tag="9$$"

T start -n web -- sleep "${tag}1"
is $? 0 "start returns 0 once the daemon has exec'd"
pid=$(pid_of web)
track "$pid"
ok "$(alive "$pid"; echo $?)" "the recorded pid is a live process"
is "$(tr '\0' ' ' < "/proc/$pid/cmdline")" "sleep ${tag}1 " "it runs the requested command"
is "$(starttime "$pid")" "$(T status -n web --shell | sed -n "s/.*TETHER_START='\([0-9]*\)'.*/\1/p")" \
	"the record holds its /proc start time"
mysid=$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f4)
dsid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f4)
ok "$([ "$dsid" != "$mysid" ] && [ "$dsid" != "$pid" ] && echo 0 || echo 1)" \
	"it runs in a new session it does not lead (setsid, then fork)"
ls -l "/proc/$pid/fd" 2>/dev/null | grep -c ' -> ' > "$TMP/fds"
is "$(cat "$TMP/fds")" 3 "it holds only stdin, stdout and stderr"

out=$(T status -n web); rc=$?
is "$rc" 0 "status of a running daemon exits 0"
like "$out" "web running pid=$pid up=*s owner=none" "status line: name, state, pid, uptime, owner"

T start -n web -- sleep "${tag}1" 2>"$TMP/err"; rc=$?
is "$rc" 152 "a second start exits 152 (already running)"
like "$(cat "$TMP/err")" "*web is already running (pid $pid)*" "and names the running pid"
is "$(count_procs "${tag}1")" 1 "still exactly one daemon"

T start -n ghost -- /nonexistent/prog 2>"$TMP/err"; rc=$?
is "$rc" 1 "start of a missing program fails"
like "$(cat "$TMP/err")" "*exec /nonexistent/prog: No such file or directory*" "with the exec error"
T status -n ghost >/dev/null; is $? 3 "and leaves no record (status 3)"

T status -n nosuch >/dev/null; is $? 3 "status of an unknown name exits 3"
T status -n 'bad/name' 2>/dev/null; is $? 2 "a name with a slash is a usage error"
T status --bogus 2>/dev/null; is $? 2 "an unknown option is a usage error"

T stop -n web; is $? 0 "stop exits 0"
ok "$(alive "$pid" && echo 1 || echo 0)" "the daemon is gone after stop"
T status -n web >/dev/null; is $? 3 "status after stop exits 3"
T stop -n web; is $? 0 "stopping a stopped daemon exits 0 (oknodo)"

# A daemon that ignores TERM is killed after the grace.
T start -n stubborn -- sh -c "trap '' TERM; while :; do sleep 0.1; done" "${tag}2"
spid=$(pid_of stubborn); track "$spid"
# start returns once sh has exec'd, not once it has run its trap.
wait_until 10 sig_set "$spid" SigIgn 15
t0=$(date +%s)
T stop -n stubborn -t 1; is $? 0 "a TERM-ignoring daemon is stopped"
t1=$(date +%s)
ok "$(alive "$spid" && echo 1 || echo 0)" "by KILL after the grace"
ok "$([ $((t1 - t0)) -le 3 ] && echo 0 || echo 1)" "within the grace plus a little ($((t1 - t0)) s)"

# A dead daemon leaves its record: status 1, list shows it, prune reaps it.
T start -n short -- sh -c 'sleep 0.2'
shpid=$(pid_of short)
exited() { ! alive "$shpid"; }
wait_until 10 exited
T status -n short >/dev/null; is $? 1 "a daemon that died leaves status 1 (dead, record exists)"
T start -n keep -- sleep "${tag}3"
kpid=$(pid_of keep); track "$kpid"
out=$(T list)
like "$out" "*keep running pid=$kpid*" "list shows the running daemon"
like "$out" "*short dead*" "list shows the dead one"
out=$(T list --prune)
like "$out" "*pruned short (dead*" "prune names what it removes"
T status -n short >/dev/null; is $? 3 "the pruned record is gone"
T status -n keep >/dev/null; is $? 0 "prune leaves the running daemon"
T stop -n keep >/dev/null

# A daemon that crashed (owner none) is replaced by the next start.
T start -n crashy -- sleep "${tag}5"
cpid=$(pid_of crashy)
kill -9 "$cpid"
crashed() { ! alive "$cpid"; }
wait_until 10 crashed
T start -n crashy -- sleep "${tag}5"; is $? 0 "start over a crashed daemon's record (owner none) exits 0"
npid=$(pid_of crashy); track "$npid"
ok "$([ "$npid" != "$cpid" ] && alive "$npid" && echo 0 || echo 1)" "and records a new live process ($cpid -> $npid)"
is "$(count_procs "${tag}5")" 1 "exactly one"
T stop -n crashy >/dev/null

# exec: the daemon keeps tether's pid and start time.
sh -c 'echo $$ > "$1/pid"; exec "$2" exec -n inplace -- sleep "$3"' sh "$TMP" "$TETHER" "${tag}4" &
wait_until 15 test -s "$TMP/state/inplace.cbor"
epid=$(cat "$TMP/pid"); track "$epid"
wait_until 15 sh -c "tr '\0' ' ' < /proc/$epid/cmdline | grep -q ${tag}4"
is "$(tr '\0' ' ' < "/proc/$epid/cmdline")" "sleep ${tag}4 " "exec replaced tether with the daemon in place"
T status -n inplace >/dev/null; is $? 0 "status of an exec'd daemon exits 0"
T exec -n inplace -- sleep 1000 2>"$TMP/err"; rc=$?
is "$rc" 152 "exec of a running name exits 152"
T exec -n nothere -- /nonexistent/x 2>/dev/null; is $? 127 "exec of a missing program exits 127"
T status -n nothere >/dev/null; is $? 3 "and leaves no record"
out=$(T exec -n longargv -- sh -c 'echo ran $#' x $(seq 1 200) 2>"$TMP/err"); rc=$?
is "$rc:$out" "0:ran 200" "exec of an argv too long to record still runs the daemon"
like "$(cat "$TMP/err")" "*longargv not recorded: argv too long to record*" "and says it is not recorded"
T status -n longargv >/dev/null; is $? 3 "no record"
T start -n keep -- sleep "${tag}8"; kp=$(pid_of keep); kill -9 "$kp"
keep_dead() { ! alive "$kp"; }
wait_until 10 keep_dead
T exec -n keep -- /nonexistent/x $(seq 1 200) 2>/dev/null; is $? 127 "an unrecorded exec that fails exits 127"
like "$(T status -n keep)" "keep dead pid=*" "and leaves the earlier record alone"
T stop -n inplace; is $? 0 "exec'd daemon stops"

# Concurrent starts of one name produce exactly one daemon.
i=0
while [ $i -lt 8 ]; do T start -n race -- sleep "${tag}5" 2>/dev/null & i=$((i + 1)); done
wait
is "$(count_procs "${tag}5")" 1 "8 concurrent starts leave exactly one daemon"
T stop -n race

# --cwd DIR -- ./prog: the program is the one in DIR, where it runs, not
# one of that name where tether was called; the record's cwd and a
# relative --log are absolute, from the caller's directory.
mkdir -p "$TMP/here/sub"
cp "$(command -v sleep)" "$TMP/here/sub/prog"
cp "$(command -v cat)" "$TMP/here/prog"
(cd "$TMP/here" && T start -n incwd --cwd sub --log rel.log -- ./prog "${tag}7"); is $? 0 "start --cwd sub -- ./prog"
track "$(pid_of incwd)"
like "$(tr '\0' ' ' < "/proc/$(pid_of incwd)/cmdline")" "./prog ${tag}7 " "it runs sub/prog"
is "$(cd "$TMP/here" && T restart --all --changed --dry-run 2>&1)" "no daemon runs a changed binary" \
	"its recorded executable is sub/prog, not ./prog where start ran"
ok "$([ -f "$TMP/here/rel.log" ] && [ ! -e "$TMP/here/sub/rel.log" ]; echo $?)" \
	"a relative --log is the caller's, not --cwd's"
(cd / && T restart -n incwd >/dev/null); is $? 0 "restarted from another directory"
like "$(tr '\0' ' ' < "/proc/$(pid_of incwd)/cmdline")" "./prog ${tag}7 " "it runs sub/prog again"
ok "$([ ! -e /rel.log ] && [ -f "$TMP/here/rel.log" ]; echo $?)" "and logs to the same file"
T stop -n incwd

# A spawn that fails names the step that failed.
T start -n nocwd --cwd /nonexistent -- sleep 1 2>"$TMP/err"; is $? 1 "start --cwd into nothing exits 1"
is "$(cat "$TMP/err")" "tether: start: chdir /nonexistent: No such file or directory" "saying chdir"
T start -n nolog --log /nonexistent/x.log -- sleep 1 2>"$TMP/err"; is $? 1 "start --log into nothing exits 1"
is "$(cat "$TMP/err")" "tether: start: open log /nonexistent/x.log: No such file or directory" "saying open log"

# Odd comm names are tracked exactly.
cp "$(command -v sleep)" "$TMP/a) b (c"
T start -n odd -- "$TMP/a) b (c" 1000
T status -n odd >/dev/null; is $? 0 "a daemon whose comm is 'a) b (c' is running"
opid=$(pid_of odd); track "$opid"
like "$(cat "/proc/$opid/stat")" "$opid (a) b (c) S *" "its comm really is 'a) b (c'"
T stop -n odd; is $? 0 "and stops by identity"
nl=$(printf 'x\ny')
cp "$(command -v sleep)" "$TMP/$nl"
T start -n newline -- "$TMP/$nl" 1000
T status -n newline >/dev/null; is $? 0 "a daemon whose comm holds a newline is running"
T stop -n newline; is $? 0 "and stops"

# --log survives a restart: the respawn logs to the same file.
T start -n logger --log "$TMP/logger.log" -- sh -c 'echo "hello $$"; exec sleep "$0"' "${tag}7"
wait_until 15 test -s "$TMP/logger.log"
T restart -n logger >/dev/null; is $? 0 "a daemon started with --log restarts"
two() { [ "$(grep -c hello "$TMP/logger.log")" = 2 ]; }
wait_until 15 two
is "$(grep -c hello "$TMP/logger.log")" 2 "and its respawn logs to the same file"
T stop -n logger >/dev/null

# Paths and arguments that are not UTF-8 are stored as CBOR byte strings.
bad=$(printf 'dir-\377\376')
mkdir -p "$TMP/$bad"
(cd "$TMP/$bad" && T start -n latin1 -- sh -c 'exec sleep "$0"' "${tag}6")
T status -n latin1 >/dev/null; is $? 0 "a daemon with non-UTF-8 cwd and argv is recorded and running"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import cbor2' 2>/dev/null; then
	/usr/bin/python3 -c 'import cbor2,sys; r=cbor2.loads(open(sys.argv[1],"rb").read()); r=getattr(r,"value",r); assert r["cwd"].endswith(b"dir-\xff\xfe"), r' \
		"$TETHER_STATE_DIR/latin1.cbor"
	is $? 0 "its record decodes elsewhere, the cwd as the exact bytes"
else
	skip "record decodes in python3-cbor2" "python3-cbor2 missing"
fi
T stop -n latin1; is $? 0 "and it stops"

# Restart of many unsupervised daemons at once: the plan grows (and may
# move) while it is made, and each respawn must still get its own argv.
# Nine, so the plan outgrows its first allocation twice.
manydir=$TMP/many
for i in 1 2 3 4 5 6 7 8 9; do
	TETHER_STATE_DIR=$manydir T start -n "m$i" -- sleep "${tag}7$i" || echo "# start m$i failed"
done
TETHER_STATE_DIR=$manydir T restart --all --timeout 10 >"$TMP/many.out" 2>&1
is $? 0 "restart --all of nine unsupervised daemons exits 0"
bad=
for i in 1 2 3 4 5 6 7 8 9; do
	p=$(TETHER_STATE_DIR=$manydir T status -n "m$i" --shell | sed -n "s/.*TETHER_PID='\([0-9]*\)'.*/\1/p")
	track "$p"
	[ -n "$p" ] && [ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" = "sleep ${tag}7$i " ] || bad="$bad m$i"
done
is "$bad" "" "each of the nine runs again, with its own command line"
[ -z "$bad" ] || sed 's/^/# /' "$TMP/many.out"
for i in 1 2 3 4 5 6 7 8 9; do TETHER_STATE_DIR=$manydir T stop -n "m$i" >/dev/null; done
is "$(count_procs "sleep ${tag}7")" 0 "and all of them stop"

done_testing
