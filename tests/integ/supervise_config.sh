#!/bin/sh
# tether supervise -c FILE: the config file format, its errors, and the
# config hash: a file and the command line with the same children hash
# alike, so a restart from either form is not mistaken for a new config.
. "$TETHER_SRC/tests/integ/lib.sh"
T supervise --help >/dev/null 2>&1 || skip_all "supervise is not in this build"

tag="2$$"
cfg_of() { T supervise -n "$1" --send status 2>/dev/null | sed -n 's/.* cfg=\([0-9a-f]*\).*/\1/p'; }
listed() { [ "$(T supervise -n "$1" --send list 2>/dev/null | grep -c " running pid=")" = "$2" ]; }

cat >"$TMP/kids.conf" <<EOF
# two children; quotes keep blanks
f1 sleep ${tag}1
	f2 sh -c 'exec sleep ${tag}2'
EOF
$TETHER_WRAP "$TETHER" supervise -n file -c "$TMP/kids.conf" 2>"$TMP/log" &
sup=$!
track "$sup"
wait_until 10 listed file 2
ok $? "both children of the config file run"
# f2 runs once sh has exec'd; sh execs sleep a moment later.
f2cmd() { tr '\0' ' ' <"/proc/$(pid_of f2)/cmdline"; }
f2_execd() { [ "$(f2cmd)" = "sleep ${tag}2 " ]; }
wait_until 10 f2_execd
is "$(f2cmd)" "sleep ${tag}2 " "a quoted command is one argument to sh -c"
h_file=$(cfg_of file)
is "${#h_file}" 16 "the supervisor reports a 16-digit config hash"
if T cbor-diag --help >/dev/null 2>&1; then
	like "$(T cbor-diag <"$TMP/state/file.cbor")" "*\"cfg\": \"$h_file\"*" "its record holds the same hash"
else
	skip "its record holds the same hash" "cbor-diag is not in this build"
fi
kill -TERM "$sup"
wait "$sup"
is $? 0 "it shuts down cleanly"

$TETHER_WRAP "$TETHER" supervise -n file -- f1 sleep "${tag}1" -- f2 sh -c "exec sleep ${tag}2" 2>>"$TMP/log" &
sup=$!
track "$sup"
wait_until 10 listed file 2
is "$(cfg_of file)" "$h_file" "the same children on the command line hash alike"
kill -TERM "$sup"
wait "$sup"

printf 'ok true\nbad "unterminated\n' >"$TMP/bad.conf"
T supervise -n bad -c "$TMP/bad.conf" 2>"$TMP/err"; rc=$?
is "$rc" 2 "a config file with an error is a usage error"
like "$(cat "$TMP/err")" "*bad.conf: line 2: unterminated quote*" "naming the file and the line"
T supervise -n bad -c "$TMP/nonexistent.conf" 2>"$TMP/err"; rc=$?
is "$rc" 2 "a missing config file too"
like "$(cat "$TMP/err")" "*open $TMP/nonexistent.conf: No such file or directory*" "saying why"
T supervise -n bad -c "$TMP/kids.conf" -- x true 2>/dev/null; is $? 2 "-c and -- groups together are refused"
is "$(pgrep -fc "^sleep ${tag}")" 0 "nothing left running"

done_testing
