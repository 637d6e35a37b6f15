#!/bin/sh
# Damaged records through the real binary: a record with a key twice, a
# truncated one, text, and CBOR without the record's tag each give a one-line reason and
# exit 156; list reports them and goes on; start moves the damaged file
# aside byte for byte (nothing lost) and records the new daemon.
. "$TETHER_SRC/tests/integ/lib.sh"
S=$TETHER_STATE_DIR
mkdir -p -m 700 "$S"

# Written by hand, as no tether writes them: tag 55799 around a map of
# five pairs, v 1, name, pid 12, start 77, and pid again.
printf '\331\331\367\245\141v\001\144name\143dup\143pid\014\145start\030\115\143pid\014' >"$S/dup.cbor"
printf '\331\331\367\245\141v\001\144name\145short\143pid' >"$S/short.cbor"
printf 'pid=12\n' >"$S/text.cbor"         # text: read as a 16-byte string, cut short
printf '\241\141v\001' >"$S/bare.cbor"    # well-formed CBOR, but no tag: not ours
chmod 600 "$S"/*.cbor

for case in "dup:a key twice" "short:truncated" "text:truncated" "bare:not a tether record"; do
	name=${case%%:*} why=${case#*:}
	err=$(T status -n "$name" 2>&1 >/dev/null)
	is "$?" 156 "status -n $name: exit 156 (record corrupt)"
	like "$err" "tether: status: record $name is corrupt ($why*): treated as absent" "$name: the reason in one line"
	is "$(printf '%s\n' "$err" | wc -l)" 1 "$name: one line on stderr"
done

out=$(T list 2>/dev/null)
is "$?" 0 "list goes on past damaged records"
like "$out" "bare corrupt*dup corrupt*short corrupt*text corrupt*" "list reports each as corrupt"
# list gathers its lines and writes them a chunk at a time; a message on
# stderr writes what was gathered first, so 2>&1 keeps the order.
both=$(T list 2>&1 | sed -n 's/^tether: list: record \([a-z]*\) is corrupt.*/msg \1/p; s/^\([a-z]*\) corrupt$/line \1/p' | tr '\n' ' ')
is "$both" "msg bare line bare msg dup line dup msg short line short msg text line text " \
	"under 2>&1 each record's message comes just before its line"

sum=$(cksum <"$S/dup.cbor")
T start -n dup -- sleep 300 >/dev/null 2>"$TMP/start.err"
is "$?" 0 "start over a damaged record succeeds"
like "$(cat "$TMP/start.err")" "*moved corrupt record dup aside*" "start says it moved the damaged record aside"
is "$(cksum <"$S/dup.cbor.corrupt" 2>/dev/null)" "$sum" "the damaged bytes are kept, unchanged, in dup.cbor.corrupt"
p=$(pid_of dup)
track "$p"
ok "$(alive "$p" && echo 0 || echo 1)" "the new daemon runs and its record reads back"
T stop -n dup >/dev/null 2>&1
is "$?" 0 "and it stops through that record"

# Damaged again: the first evidence stays, the new one takes the next slot.
printf 'garbage two' >"$S/dup.cbor"
T start -n dup -- sleep 300 >/dev/null 2>"$TMP/start.err"
is "$?" 0 "start over a second damaged record succeeds"
track "$(pid_of dup)"
is "$(cksum <"$S/dup.cbor.corrupt" 2>/dev/null)" "$sum" "the first damaged bytes are still in dup.cbor.corrupt"
is "$(cat "$S/dup.cbor.corrupt.1" 2>/dev/null)" "garbage two" "the second ones in dup.cbor.corrupt.1"
like "$(cat "$TMP/start.err")" "*aside to */dup.cbor.corrupt.1*" "and start names it"
T stop -n dup >/dev/null 2>&1

# The state dir itself: writable by others, or a symlink, is refused (155).
mkdir -m 777 "$TMP/loose"
T --state-dir "$TMP/loose" status -n x 2>"$TMP/err"; is "$?" 155 "a state dir writable by others: exit 155"
like "$(cat "$TMP/err")" "tether: status: state dir $TMP/loose refused: *" "in one line"
mkdir -m 700 "$TMP/real"
ln -s "$TMP/real" "$TMP/link"
T --state-dir "$TMP/link" list 2>"$TMP/err"; is "$?" 155 "a state dir that is a symlink: exit 155"
is "$(cat "$TMP/err")" "tether: list: state dir $TMP/link refused: it is a symlink" "saying so"
T --state-dir "$TMP/link" start -n x -- sleep 1 2>/dev/null; is "$?" 155 "start there: exit 155, nothing spawned"
is "$(ls -A "$TMP/real")" "" "and nothing written through the link"
done_testing
