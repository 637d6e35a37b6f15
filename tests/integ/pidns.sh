#!/bin/sh
# A record holds its pid as the writer's pid namespace numbers it. Read
# from another namespace (the host, a container, procd's ujail) that pid
# names another process or none: the record is "other-pidns", status 4,
# never pruned, stopped, restarted or replaced from there, and still
# fully managed from inside its own namespace.
. "$TETHER_SRC/tests/integ/lib.sh"
tag="6$$"

is_root || skip_all "needs root for unshare --pid"
have unshare || skip_all "unshare (util-linux) missing"
why=$(unshare --pid --fork --mount-proc true 2>&1) || skip_all "cannot create a PID namespace here: $why"

# Runs as PID 1 of a fresh namespace: start a daemon there, let the host
# look at it, then manage it from here. Results as KEY=VALUE lines.
cat > "$TMP/inner.sh" <<'EOF'
tether=$1 arg=$2 tmp=$3
"$tether" start -n nsd -- sleep "$arg"; echo "start=$?" > "$tmp/in.start"
: > "$tmp/started"
i=0
while [ ! -e "$tmp/go" ]; do
	sleep 0.02; i=$((i + 1)); [ $i -gt 1500 ] && break
done
{
	out=$("$tether" status -n nsd 2>/dev/null); echo "status=$? $out"
	"$tether" status -n hd >/dev/null 2>&1; echo "host_status=$?"
	"$tether" stop -n hd -t 1 >/dev/null 2>&1; echo "host_stop=$?"
	"$tether" stop -n nsd -t 2; echo "stop=$?"
	pgrep -f "sleep $arg" >/dev/null; echo "left=$?"
	"$tether" status -n nsd >/dev/null 2>&1; echo "after=$?"
} > "$tmp/in.out" 2>&1
: > "$tmp/done"
EOF

unshare --pid --fork --mount-proc sh "$TMP/inner.sh" "$TETHER" "${tag}1" "$TMP" >/dev/null 2>&1 &
ns=$!
track "$ns"
started() { [ -e "$TMP/started" ]; }
wait_until 15 started || { ok 1 "the namespace came up"; done_testing; exit; }
is "$(cat "$TMP/in.start")" "start=0" "start inside the namespace records the daemon"
dpid=$(pgrep -f "sleep ${tag}1"); track "$dpid"
nspid=$(pid_of nsd)
diag "daemon: host pid $dpid, recorded pid $nspid"
ok "$([ -n "$dpid" ] && [ "$nspid" != "$dpid" ] && echo 0 || echo 1)" "the record holds the namespace's pid, not the host's"

out=$(T status -n nsd 2>"$TMP/err"); rc=$?
is "$rc" 4 "status from the host exits 4 (unknown), not 151 or 1"
like "$out" "nsd other-pidns pid=$nspid *" "and says other-pidns"
like "$(cat "$TMP/err")" "*nsd*another pid namespace*" "with a warning naming the namespace"
like "$(T status -n nsd --shell 2>/dev/null)" "*TETHER_STATE='other-pidns'*" "--shell says other-pidns"

out=$(T list --prune 2>&1); rc=$?
is "$rc" 0 "list --prune from the host succeeds"
like "$out" "*nsd other-pidns*" "and lists the record as other-pidns"
ok "$([ -e "$TETHER_STATE_DIR/nsd.cbor" ] && echo 0 || echo 1)" "and does not prune it"

T stop -n nsd -t 1 2>"$TMP/err"; rc=$?
is "$rc" 4 "stop from the host is refused with 4"
like "$(cat "$TMP/err")" "*nsd*pid namespace*not signalled*" "in one line naming the namespace mismatch"
diag "$(cat "$TMP/err")"
is "$(wc -l < "$TMP/err")" 1 "one line"
ok "$(alive "$dpid" && echo 0 || echo 1)" "and the daemon still runs"
ok "$([ -e "$TETHER_STATE_DIR/nsd.cbor" ] && echo 0 || echo 1)" "and its record is kept"

T restart -n nsd 2>"$TMP/err"; rc=$?
is "$rc" 4 "restart from the host is refused with 4"
like "$(cat "$TMP/err")" "*nsd*pid namespace*" "naming the namespace mismatch"
T start -n nsd -- sleep "${tag}2" 2>"$TMP/err"; rc=$?
is "$rc" 4 "start from the host does not spawn a second copy over the record"
T up -n nsd -b 1 -- sleep "${tag}2" >/dev/null 2>&1; rc=$?
is "$rc" 4 "nor does up"
T exec -n nsd -- sleep "${tag}2" 2>/dev/null; rc=$?
is "$rc" 4 "nor exec"
ok "$(pgrep -f "sleep ${tag}2" >/dev/null && echo 1 || echo 0)" "and nothing was spawned"
is "$(pid_of nsd)" "$nspid" "the record still names the namespace's daemon"
ok "$(alive "$dpid" && echo 0 || echo 1)" "which still runs after all of it"

# A record the host writes is as foreign inside the namespace.
T start -n hd -- sleep "${tag}3"; is $? 0 "a daemon started on the host"
hpid=$(pid_of hd); track "$hpid"

: > "$TMP/go"
finished() { [ -e "$TMP/done" ]; }
wait_until 20 finished || diag "the namespace did not finish"
in=$(cat "$TMP/in.out" 2>/dev/null)
like "$in" "*status=0 nsd running pid=$nspid *" "inside its namespace status says running, exit 0"
like "$in" "*host_status=4*" "a host record read inside the namespace: status 4"
like "$in" "*host_stop=4*" "and stop from inside refuses it"
ok "$(alive "$hpid" && echo 0 || echo 1)" "so the host daemon still runs"
like "$in" "*stop=0*" "stop inside the namespace works"
like "$in" "*left=1*" "and the daemon is gone before its namespace ends"
like "$in" "*after=3*" "and the record is removed (status 3 there)"
T stop -n hd -t 2; is $? 0 "the host stops its own daemon"
wait "$ns" 2>/dev/null
done_testing
