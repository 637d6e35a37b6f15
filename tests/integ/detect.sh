#!/bin/sh
# tether detect: the command line, exit codes, saved cgroup files.
. "$TETHER_SRC/tests/integ/lib.sh"
T detect --help >/dev/null 2>&1 || skip_all "detect is not in this build"
data=$TETHER_SRC/tests/data/cgroup

out=$(T --proc-root /nonexistent detect); ok $? "no /proc: exit 0"
is "$out" "owner=none" "no /proc: owner=none"
out=$(TETHER_PROC=/nonexistent T detect 1); ok $? "TETHER_PROC without a tree: exit 0"
is "$out" "owner=none" "TETHER_PROC without a tree: owner=none"

out=$(T detect $$); ok $? "the test shell: exit 0"
like "$out" "owner=*" "the test shell: one owner line"
out=$(T detect); ok $? "no PID: tether itself, exit 0"
like "$out" "owner=*" "no PID: one owner line"

sleep 30 & victim=$!; track $victim
kill -9 $victim; wait $victim 2>/dev/null
err=$(T detect $victim 2>&1 >/dev/null); is $? 1 "a pid that is gone: exit 1"
is "$err" "tether: detect: no such process: $victim" "a pid that is gone: one-line error"

T detect abc >/dev/null 2>&1; is $? 2 "a PID that is no number: usage, exit 2"
T detect 0 >/dev/null 2>&1; is $? 2 "PID 0: usage, exit 2"
T detect 1 2 >/dev/null 2>&1; is $? 2 "two PIDs: usage, exit 2"
T detect --bogus >/dev/null 2>&1; is $? 2 "unknown option: usage, exit 2"
T detect --cgroup >/dev/null 2>&1; is $? 2 "--cgroup without FILE: usage, exit 2"
T detect --invocation-id x >/dev/null 2>&1; is $? 2 "--invocation-id without --cgroup: exit 2"
T detect 1 --cgroup "$data/v2-service" >/dev/null 2>&1; is $? 2 "PID and --cgroup: exit 2"
out=$(T detect --help); ok $? "--help: exit 0"
like "$out" "usage: tether detect \[PID\] \[--json\]*tether detect --cgroup FILE*" "--help: the usage text"
out=$(T help detect); like "$out" "usage: tether detect*" "tether help detect"

id=0123456789abcdef0123456789abcdef
out=$(T detect --cgroup "$data/v2-service" --invocation-id $id)
is "$out" "owner=systemd unit=foo.service scope=system" "--cgroup: system unit"
out=$(T detect --cgroup "$data/v2-user-service" --invocation-id $id)
is "$out" "owner=systemd unit=bar.service scope=user uid=1000" "--cgroup: user unit"
out=$(T detect --cgroup "$data/v2-service" --invocation-id "")
is "$out" "owner=none" "--cgroup with an empty INVOCATION_ID: none"
if grep -q 'CONFIG_VERBOSE 1' "$TETHER_BUILD/config.h" 2>/dev/null; then
	out=$(T detect -v --cgroup "$data/v2-service" 2>&1 >/dev/null)
	like "$out" "*partial proof*" "--cgroup without --invocation-id: partial proof traced"
else
	skip "partial proof traced" "CONFIG_VERBOSE is off"
fi
out=$(T detect --cgroup "$data/v2-procd"); is "$out" "owner=procd service=dnsmasq instance=instance1" "--cgroup: procd"
out=$(T detect --cgroup "$data/hybrid-unified-root" --invocation-id $id)
is "$out" "owner=systemd unit=foo.service scope=system" "--cgroup: hybrid falls back to name=systemd"
out=$(T detect --cgroup "$data/v2-session-scope" --invocation-id $id); is "$out" "owner=none" "--cgroup: scope"
out=$(T detect --cgroup - < "$data/v1-legacy"); is "$out" "owner=systemd unit=foo.service scope=system" "--cgroup -: stdin"
out=$(head -c 100000 /dev/zero | T detect --cgroup - 2>&1); is $? 1 "--cgroup: an oversized file is refused"
like "$out" "*not a cgroup file*" "--cgroup: oversized, one-line error"
T detect --cgroup "$TMP/none" >/dev/null 2>&1; is $? 1 "--cgroup: a missing file, exit 1"

if T detect --json --cgroup "$data/v2-service" >/dev/null 2>&1; then
	out=$(T detect --json --cgroup "$data/v2-user-service" --invocation-id $id)
	is "$out" '{"owner":"systemd","unit":"bar.service","scope":"user","uid":1000}' "--json: one object"
	out=$(T --proc-root /nonexistent detect --json); is "$out" '{"owner":"none"}' "--json: none"
else
	skip "--json" "CONFIG_JSON is off"
fi
done_testing
