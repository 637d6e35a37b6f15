#!/bin/sh
# Writers killed with SIGKILL at random moments never leave a torn
# record: every record decodes afterwards, and no temp file is trusted.
. "$TETHER_SRC/tests/integ/lib.sh"
ROUNDS=${CRASH_ROUNDS:-200}

# Kill points spread over one writer's whole run, however slow this build
# is (ASan, valgrind, a loaded machine): measure one first.
t0=$(date +%s%N); "$TETHER" exec -n probe -- true; t1=$(date +%s%N)
span_us=$(( (t1 - t0) / 1000 ))
diag "one writer takes $span_us us; kills land within 1.5x that"
# (timeout takes 0 as "never": the shortest delay is a microsecond.)
awk -v n="$ROUNDS" -v us="$span_us" 'BEGIN { srand(); for (i = 0; i < n; i++) printf "%.6f\n", (1 + rand() * us * 1.5) / 1e6 }' > "$TMP/delays"
torn=0 new=0 kept=0
# timeout(1) starts its clock before it forks the writer and kills it
# from a timer: a shell's `sleep` would add its own fork and exec (about
# a millisecond, as long as a whole write) before every kill.
while read -r d; do
	before=$({ cksum < "$TMP/state/crash.cbor"; } 2>/dev/null)
	timeout -s KILL "$d" "$TETHER" exec -n crash -- true 2>/dev/null
	T status -n crash >/dev/null 2>&1
	[ $? -eq 156 ] && torn=$((torn + 1))
	if [ "$({ cksum < "$TMP/state/crash.cbor"; } 2>/dev/null)" = "$before" ]; then kept=$((kept + 1)); else new=$((new + 1)); fi
done < "$TMP/delays"
diag "$ROUNDS writers killed: $new left a new record, $kept the previous one"
is "$torn" 0 "no kill left a corrupt record"
ok "$([ "$new" -gt 0 ] && [ "$kept" -gt 0 ] && echo 0 || echo 1)" "kills landed both before and after the rename"
T list >/dev/null 2>&1; is $? 0 "list reads the state dir afterwards"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import cbor2' 2>/dev/null && [ -e "$TMP/state/crash.cbor" ]; then
	/usr/bin/python3 -c 'import cbor2,sys; b=open(sys.argv[1],"rb").read(); assert b[:3]==bytes([0xd9,0xd9,0xf7]); r=cbor2.loads(b); r=getattr(r,"value",r); assert r["name"]=="crash" and r["v"]==1' \
		"$TMP/state/crash.cbor"
	is $? 0 "the surviving record decodes in python3-cbor2"
else
	skip "record decodes in python3-cbor2" "python3-cbor2 missing or no record"
fi
done_testing
