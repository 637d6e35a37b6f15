#!/bin/sh
# tether up with real processes: each result and its exit code; 8 racing
# ups spawn one daemon; a runit service that is down is waited for, never
# spawned around; a failed spawn's backoff; a stale socket is removed; a
# hung supervisor is not spawned around.
. "$TETHER_SRC/tests/integ/lib.sh"
T up --help >/dev/null 2>&1 || skip_all "up is not in this build"

tag="3$$"
live_count() { # live (non-zombie) processes whose argv matches (anchor with ^)
	_c=0
	for _p in $(pgrep -f "$1"); do alive "$_p" && _c=$((_c + 1)); done
	echo "$_c"
}
field() { status_of "$1" "TETHER_$2"; }
ms_since() { echo $(($(date +%s%N) / 1000000 - $1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
recorded() { T status -n "$1" >/dev/null 2>&1; }
answers() { T supervise -n "$1" --sock "$2" --send status >/dev/null 2>&1; }
gone() { ! alive "$1"; }

out=$(T up -n web -- sleep "${tag}1"); rc=$?
is "$rc" 162 "a daemon that is down is spawned: started (162)"
like "$out" "web started pid=* (* ms)" "reporting its pid and the time spent"
wpid=$(field web PID)
track "$wpid"
out=$(T up -n web -- sleep "${tag}1"); rc=$?
is "$rc" 0 "up again: up (0)"
is "$out" "web up pid=$wpid (${out##*pid=$wpid (}" "the same pid"
is "$(live_count "^sleep ${tag}1")" 1 "one daemon"
if T up -n web --json >/dev/null 2>&1; then
	like "$(T up -n web --json)" "{\"name\":\"web\",\"result\":\"up\",\"code\":0,\"pid\":$wpid,\"managed\":\"\",\"ms\":*}" \
		"--json: name, result, code, pid, managed, ms"
else
	skip "--json" "CONFIG_JSON is off"
fi
kill "$wpid"
wait_until 15 gone "$wpid"
T up -n web --no-spawn >/dev/null; is $? 161 "--no-spawn on a dead daemon: down (161)"
is "$(live_count "^sleep ${tag}1")" 0 "and nothing spawned"
T up -n web >/dev/null; rc=$?
is "$rc" 162 "without a command, the record's command is spawned"
track "$(field web PID)"

# Eight racing ups: one spawns, the others find it up.
i=0
while [ $i -lt 8 ]; do
	T up -n race -- sleep "${tag}2" >"$TMP/race.$i" 2>&1 &
	i=$((i + 1))
done
wait
is "$(live_count "^sleep ${tag}2")" 1 "8 concurrent ups leave exactly one daemon"
is "$(grep -l ' started ' "$TMP"/race.* | wc -l | tr -d ' ')" 1 "one of them started it"
is "$(grep -l ' up ' "$TMP"/race.* | wc -l | tr -d ' ')" 7 "seven found it up"
track "$(field race PID)"

# A failed spawn suppresses spawns for its TTL (longer under valgrind,
# whose every start takes a second or two). The marker expires on a
# whole second: the checks within the TTL have TTL - 1 s at least.
TTL=3
[ -n "$TETHER_WRAP" ] && TTL=10
T up -n ghost --backoff "$TTL" -- /nonexistent/prog 2>"$TMP/err"; rc=$?
written=$(date +%s)
is "$rc" 1 "a spawn that fails exits 1"
like "$(cat "$TMP/err")" "*exec /nonexistent/prog: No such file or directory*" "with the exec error"
ok "$([ -f "$TMP/state/ghost.backoff" ] && echo 0 || echo 1)" "and writes ghost.backoff"
t0=$(now_ms)
T up -n ghost -- /nonexistent/prog >/dev/null 2>"$TMP/err"; rc=$?
is "$rc" 160 "a spawn within the TTL is suppressed (160)"
took=$(ms_since "$t0")
if [ -z "$TETHER_WRAP" ]; then
	# at once: not after the 8 s default budget
	ok "$([ "$took" -lt 4000 ] && echo 0 || echo 1)" "at once ($took ms)"
else
	skip "at once ($took ms)" "timing is not measured under valgrind"
fi
like "$(cat "$TMP/err")" "*a spawn failed recently: suppressed for * s more*" "saying for how long"
cp "$(command -v sleep)" "$TMP/sleeper"
T up -n ghost -- "$TMP/sleeper" "${tag}3" >/dev/null 2>&1; is $? 160 "even with a command that would work"
# It expires at (the second it was written in) + TTL, by then at the latest.
expired() { [ "$(date +%s)" -ge $((written + TTL)) ]; }
wait_until $((TTL + 5)) expired
T up -n ghost -- "$TMP/sleeper" "${tag}3" >/dev/null; rc=$?
is "$rc" 162 "after the TTL the spawn goes ahead"
track "$(field ghost PID)"
ok "$([ ! -e "$TMP/state/ghost.backoff" ] && echo 0 || echo 1)" "the expired marker is gone"

# A stale socket (nobody listens) named in a record is removed, not trusted.
if T supervise --help >/dev/null 2>&1; then
	$TETHER_WRAP "$TETHER" supervise -n st --sock "$TMP/st.sock" -- w sleep "${tag}4" 2>/dev/null &
	st=$!
	track "$st"
	wait_until 10 answers st "$TMP/st.sock"
	stkid=$(field w PID)
	track "$stkid"
	T up -n st >/dev/null; is $? 0 "a supervisor whose socket answers is up"
	kill -STOP "$st"
	t0=$(now_ms)
	T up -n st --budget 1 >/dev/null 2>"$TMP/err"; rc=$?
	is "$rc" 159 "a SIGSTOPped supervisor is alive but not up: 159 after the budget"
	like "$(cat "$TMP/err")" "*its control socket * is hung*" "saying its socket is hung"
	is "$(live_count "supervise -n st --sock $TMP/st.sock ")" 1 "and no second supervisor is spawned"
	ok "$([ -S "$TMP/st.sock" ] && echo 0 || echo 1)" "its socket, held by a live process, is left alone"
	kill -CONT "$st"
	kill -9 "$st"
	wait "$st" 2>/dev/null
	kill "$stkid"
	ok "$([ -S "$TMP/st.sock" ] && echo 0 || echo 1)" "(a KILLed supervisor leaves its socket behind)"
	T up -n st --no-spawn >/dev/null 2>"$TMP/err"; rc=$?
	is "$rc" 161 "its record is dead: down"
	ok "$([ ! -e "$TMP/st.sock" ] && echo 0 || echo 1)" "and the stale socket was removed"
	like "$(cat "$TMP/err")" "*removing stale socket $TMP/st.sock*" "saying so"
else
	skip "stale and hung sockets" "supervise is not in this build"
fi

# A runit service that is down: up waits for runit, never spawns around it.
if have runsvdir && have runsv; then
	sv=$TMP/sv
	mkdir -p "$sv/svc$tag"
	printf '#!/bin/sh\nexec "%s" exec -n svc%s -- sleep %s5\n' "$TETHER" "$tag" "$tag" >"$sv/svc$tag/run"
	chmod 755 "$sv/svc$tag/run"
	runsvdir "$sv" >/dev/null 2>&1 </dev/null &
	rsd=$!
	track "$rsd"
	wait_until 10 recorded "svc$tag"
	like "$(T status -n "svc$tag")" "svc$tag running pid=* owner=runit" "a runit service recorded by tether exec"
	rpid=$(field "svc$tag" PID)
	echo d >"$sv/svc$tag/supervise/control"
	wait_until 15 gone "$rpid"
	is "$(live_count "^sleep ${tag}5")" 0 "runit took it down"
	t0=$(now_ms)
	out=$(T up -n "svc$tag" --budget 2 -- sleep "${tag}5" 2>"$TMP/err"); rc=$?
	took=$(ms_since "$t0")
	is "$rc" 159 "up on a managed service that stays down: service-not-ready (159)"
	ok "$([ "$took" -ge 1900 ] && [ "$took" -lt 8000 ] && echo 0 || echo 1)" "after waiting the budget ($took ms)"
	like "$(cat "$TMP/err")" "*managed by runit (its record's owner): not up within 2000 ms, not spawned*" "saying why"
	is "$(live_count "^sleep ${tag}5")" 0 "and never spawned a copy of its own"
	i=0 ups=
	while [ $i -lt 8 ]; do
		T up -n "svc$tag" --budget 1 >/dev/null 2>&1 &
		ups="$ups $!" i=$((i + 1))
	done
	for p in $ups; do wait "$p"; done
	is "$(live_count "^sleep ${tag}5")" 0 "not even 8 racing ups"
	rm -f "$TMP/state/svc$tag.cbor"
	T up -n "svc$tag" --budget 1 -- sleep "${tag}5" >/dev/null 2>"$TMP/err"
	is $? 162 "(control case: with neither its record nor its service dir known, up spawns it)"
	spawned=$(field "svc$tag" PID)
	T stop -n "svc$tag" >/dev/null
	wait_until 15 gone "$spawned"
	TETHER_SERVICE_DIRS="$sv" T up -n "svc$tag" --budget 1 -- sleep "${tag}5" >/dev/null 2>"$TMP/err"; rc=$?
	is "$rc" 159 "a service dir in \$TETHER_SERVICE_DIRS makes it managed, record or not"
	like "$(cat "$TMP/err")" "*managed by service dir $sv/svc$tag*" "naming the dir"
	is "$(live_count "^sleep ${tag}5")" 0 "still never spawned"
	(sleep 0.5; echo u >"$sv/svc$tag/supervise/control") &
	out=$(TETHER_SERVICE_DIRS="$sv" T up -n "svc$tag" --budget 8); rc=$?
	is "$rc" 0 "when runit brings it up within the budget: up (0)"
	upid=$(field "svc$tag" PID)
	like "$out" "svc$tag up pid=$upid *" "with runit's pid"
	is "$(cat "/proc/$(sed 's/.*) //' "/proc/$upid/stat" | cut -d' ' -f2)/comm" 2>/dev/null)" runsv \
		"whose parent is runsv"
	is "$(live_count "^sleep ${tag}5")" 1 "exactly one copy"
	echo x >"$sv/svc$tag/supervise/control"
	kill -HUP "$rsd"
	wait_until 15 gone "$upid"
	kill "$rsd" 2>/dev/null
else
	skip "runit service that is down" "runsvdir not installed"
fi

for n in web race ghost; do T stop -n $n >/dev/null 2>&1; done
is "$(live_count "^(sleep|$TMP/sleeper) ${tag}")" 0 "nothing left running"
done_testing
