#!/bin/sh
# Without /proc identities are unverified: the lifecycle still works
# through kill(pid, 0), and tether says so.
. "$TETHER_SRC/tests/integ/lib.sh"
tag="8$$"

export TETHER_PROC="$TMP/no-proc"
T start -n np -- sleep "${tag}1" ; is $? 0 "start works with no /proc"
unset TETHER_PROC
pid=$(pgrep -f "sleep ${tag}1"); track "$pid"
export TETHER_PROC="$TMP/no-proc"
out=$(T status -n np 2>"$TMP/err"); rc=$?
is "$rc" 0 "status exits 0 (running, unverified)"
like "$out" "np running-unverified pid=$pid *" "and says running-unverified"
like "$(cat "$TMP/err")" "*identity unverified*" "with a warning on stderr"
T --proc-root /nonexistent status -n np >/dev/null 2>&1; is $? 0 "--proc-root works like TETHER_PROC"
T stop -n np -t 2; is $? 0 "stop works unverified"
unset TETHER_PROC
gone() { ! alive "$pid"; }
wait_until 15 gone
ok "$(alive "$pid" && echo 1 || echo 0)" "the daemon is gone"

if [ "$SANITIZED" = 1 ]; then
	skip "with /proc unmounted" "an ASan build aborts without /proc (LeakSanitizer reads /proc/PID/task)"
	skip "no daemon left" "ASan build"
elif is_root && have unshare; then
	# /proc really unmounted, in a private mount namespace.
	out=$(unshare -m sh -c 'umount -l /proc 2>/dev/null || exit 9
		"$1" start -n real -- sleep "$2" || exit 3
		"$1" status -n real 2>/dev/null; echo "status=$?"
		"$1" stop -n real -t 2; echo "stop=$?"' sh "$TETHER" "${tag}2" 2>&1)
	case $out in
	*status=*) like "$out" "*real running-unverified*status=0*stop=0*" "with /proc unmounted: start, status, stop work" ;;
	*) skip "with /proc unmounted" "could not unmount /proc in a mount namespace: $out" ;;
	esac
	ok "$(pgrep -f "${tag}2" >/dev/null && echo 1 || echo 0)" "and no daemon is left"
else
	skip "with /proc unmounted" "needs root and unshare"
	skip "no daemon left" "needs root"
fi
done_testing
