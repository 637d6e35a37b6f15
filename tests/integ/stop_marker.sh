#!/bin/sh
# A stop is always seen as a stop: stop removes a restart marker left
# behind (here: one set by hand, as an interrupted restart leaves it)
# before the daemon gets its TERM, unsupervised and through tether
# supervise. A restart interrupted by TERM before it spawned the daemon
# takes its marker with it.
. "$TETHER_SRC/tests/integ/lib.sh"

# A daemon whose TERM handler asks tether whether a restart is expected
# and writes the answer to $TMP/NAME.said.
teller() {
	echo "trap 'if \"$TETHER\" marker -n $1 2>/dev/null; then echo restart; else echo stop; fi >$TMP/$1.said; exit 0' TERM
while :; do sleep 0.05; done"
}
said() { cat "$TMP/$1.said" 2>/dev/null; }
handler_set() { _p=$(pid_of "$1") && [ -n "$_p" ] && sig_set "$_p" SigCgt 15; }

T start -n mk -- sh -c "$(teller mk)" >/dev/null
wait_until 10 handler_set mk
ok $? "an unsupervised daemon with a TERM handler runs"
track "$(pid_of mk)"
T marker -n mk --set
is "$?" 0 "a restart marker is set for it"
# stopped_as_stop NAME WHO: stop NAME, whose marker is set; it exits 0
# silently, WHO's TERM handler sees a stop, and no marker is left.
stopped_as_stop() {
	T stop -n "$1" >"$TMP/out" 2>&1; rc=$?
	out=$(own_lines "$TMP/out")
	is "$rc:$out" "0:" "stop of $1 exits 0, silently"
	wait_until 5 test -s "$TMP/$1.said"
	is "$(said "$1")" stop "$2 TERM handler saw a stop, not a restart"
	T marker -n "$1"; is "$?" 163 "no marker is left after the stop"
}
stopped_as_stop mk "its"

if T supervise --help >/dev/null 2>&1; then
	# Started without the T function, so that $! is tether itself.
	$TETHER_WRAP "$TETHER" supervise -n mk-sup -- mc sh -c "$(teller mc)" >/dev/null 2>&1 &
	track $!
	wait_until 10 handler_set mc
	ok $? "a child of tether supervise with a TERM handler runs"
	T marker -n mc --set
	stopped_as_stop mc "the child's"
	T supervise -n mk-sup --send stop >/dev/null 2>&1
else
	skip "supervise: stop clears the marker" "supervise is not in this build"
fi

# A daemon that ignores TERM keeps a restart in its grace period.
T start -n ig -- sh -c 'trap "" TERM; while :; do sleep 0.05; done' >/dev/null
ig_ready() { _p=$(pid_of ig) && [ -n "$_p" ] && sig_set "$_p" SigIgn 15; }
wait_until 10 ig_ready
ig=$(pid_of ig)
track "$ig"
"$TETHER" restart -n ig >/dev/null 2>&1 &
r=$!
track "$r"
wait_until 5 test -e "$TMP/state/ig.marker"
ok $? "restart wrote its marker and waits for the daemon to exit"
sleep 0.5
kill -TERM "$r"
{ wait "$r"; } 2>/dev/null
is "$?" 143 "the restart died of the TERM"
T marker -n ig; is "$?" 163 "the interrupted restart left no marker"
ok "$([ ! -e "$TMP/state/ig.marker" ]; echo $?)" "nor the file"
is "$(pid_of ig)" "$ig" "the daemon was left as it was"
T stop -n ig -t 1 >/dev/null 2>&1
is "$?" 0 "and stops"
done_testing
