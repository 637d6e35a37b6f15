#!/bin/sh
# tether supervise as PID 1 of a PID namespace: it reaps orphans that are
# not its children (none stays a zombie), and TERM from outside shuts it
# down in order, exit 0.
. "$TETHER_SRC/tests/integ/lib.sh"
T supervise --help >/dev/null 2>&1 || skip_all "supervise is not in this build"
have unshare || skip_all "needs unshare (util-linux)"
is_root || skip_all "needs root for a PID namespace"
unshare --pid --fork --mount-proc true 2>/dev/null || skip_all "unshare --pid not permitted here"

tag="4$$"
field() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f"$2"; }
children_of() { # children_of PID [STATE]: its children (any state, or only STATE)
	for _d in /proc/[0-9]*; do
		_s=$(sed 's/.*) //' "$_d/stat" 2>/dev/null) || continue
		[ "$(echo "$_s" | cut -d' ' -f2)" = "$1" ] || continue
		[ -z "$2" ] || [ "$(echo "$_s" | cut -c1)" = "$2" ] && echo "${_d#/proc/}"
	done
}
count() { echo $# ; }
# The child leaves two orphans behind: they are reparented to PID 1, the
# supervisor, and must be reaped by it when they exit 1 s later.
unshare --pid --fork --mount-proc $TETHER_WRAP "$TETHER" -v supervise -n init --sock "$TMP/init.sock" \
	-- w sh -c "sh -c 'sleep 1.${tag} & sleep 1.${tag} & exit 0'; exec sleep ${tag}" 2>"$TMP/log" &
ush=$!
track "$ush"
sup=
wait_until 10 sh -c "[ -n \"\$(pgrep -P $ush)\" ]"
sup=$(pgrep -P "$ush")
track "$sup"
is "$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$sup/status")" 1 "the supervisor is PID 1 in its namespace"
# Each orphan is one once it has exec'd sleep and the shell that forked
# it has exited.
orphans_of() { for _o in $(pgrep -f "^sleep 1.${tag}"); do echo "$_o:$(field "$_o" 2)"; done; }
orphaned() { [ "$(orphans_of | grep -c ":$sup\$")" = 2 ]; }
wait_until 10 orphaned
ol=$(orphans_of)
orphans=$(echo "$ol" | cut -d: -f1)
parents=$(echo "$ol" | cut -d: -f2)
is "$(count $orphans)" 2 "the child left two orphans"
is "$(echo $parents)" "$sup $sup" "both were reparented to the supervisor"
exited() { for _o in $orphans; do ! alive "$_o" || return 1; done; }
wait_until 15 exited
reaped() { [ "$(grep -c 'not a child of ours: an orphan' "$TMP/log")" -ge 2 ]; }
wait_until 5 reaped
is "$(children_of "$sup" Z)" "" "after they exit none stays a zombie: PID 1 reaped them"
is "$(grep -c 'not a child of ours: an orphan' "$TMP/log")" 2 "the supervisor saw both orphans and reaped them"
if have nsenter; then
	like "$(nsenter -t "$sup" -p -m $TETHER_WRAP "$TETHER" status -n w 2>&1)" "w running pid=2 *owner=tether" \
		"inside the namespace, its child runs as recorded (pids are the namespace's)"
else
	skip "inside the namespace, its child runs as recorded" "needs nsenter"
fi
kill -TERM "$sup"
wait "$ush"
is $? 0 "TERM from outside: it shuts down, exit 0"
is "$(pgrep -fc "^sleep ${tag}")" 0 "its child is gone"
T status -n w >/dev/null 2>&1; is $? 3 "and its record"

done_testing
