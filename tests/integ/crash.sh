#!/bin/sh
# Writers killed with SIGKILL at random moments never leave a torn
# record: every record decodes afterwards, and no temp file is trusted.
. "$TETHER_SRC/tests/integ/lib.sh"
ROUNDS=${CRASH_ROUNDS:-200}

awk -v n="$ROUNDS" 'BEGIN { srand(); for (i = 0; i < n; i++) printf "%.4f\n", rand() * 0.004 }' > "$TMP/delays"
torn=0 seen=0
while read -r d; do
	"$TETHER" exec -n crash -- true &
	p=$!
	sleep "$d"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	if [ -e "$TMP/state/crash.cbor" ]; then
		seen=$((seen + 1))
		T status -n crash >/dev/null 2>&1
		[ $? -eq 156 ] && torn=$((torn + 1))
	fi
done < "$TMP/delays"
diag "$ROUNDS writers killed; a record existed after $seen of them"
is "$torn" 0 "no kill left a corrupt record"
ok "$([ "$seen" -gt 0 ] && echo 0 || echo 1)" "records were written in some rounds (the test exercised writes)"
T list >/dev/null 2>&1; is $? 0 "list reads the state dir afterwards"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import cbor2' 2>/dev/null && [ -e "$TMP/state/crash.cbor" ]; then
	/usr/bin/python3 -c 'import cbor2,sys; b=open(sys.argv[1],"rb").read(); assert b[:3]==bytes([0xd9,0xd9,0xf7]); r=cbor2.loads(b); r=getattr(r,"value",r); assert r["name"]=="crash" and r["v"]==1' \
		"$TMP/state/crash.cbor"
	is $? 0 "the surviving record decodes in python3-cbor2"
else
	skip "record decodes in python3-cbor2" "python3-cbor2 missing or no record"
fi
done_testing
