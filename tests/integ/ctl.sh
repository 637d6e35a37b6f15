#!/bin/sh
# Bad input for the control socket and its bind guard: garbage, oversized
# and malformed requests get an error reply and the server lives on; a
# socket path that is a regular file or a symlink, and a lock file owned by
# another user, are refused and left untouched.
. "$TETHER_SRC/tests/integ/lib.sh"
T supervise --help >/dev/null 2>&1 || skip_all "supervise is not in this build"
CLIENT=$TETHER_HELPERS/ctl_client
[ -x "$CLIENT" ] || skip_all "test helper ctl_client not built"

tag="5$$"
S=$TMP/state/bad.sock
status_ok() { T supervise -n bad --send status 2>/dev/null | grep -q "^ok pid=$1 "; }
$TETHER_WRAP "$TETHER" supervise -n bad -- w sleep "${tag}1" 2>"$TMP/log" &
sup=$!
track "$sup"
wait_until 10 status_ok "$sup"
ok $? "the supervisor answers status"

raw() { "$CLIENT" "$S" raw "$1" 2>/dev/null | tr '\n' ' '; }
like "$(raw 68656c6c6f20776f726c640a)" "reply ok=0 pid=$sup err=request too large closed " \
	"text garbage: error reply, then the connection is closed"
like "$(raw ffffffff)" "reply ok=0 pid=$sup err=request too large closed " \
	"a 4 GiB length: error reply and close, nothing allocated"
like "$(raw 00000201)" "reply ok=0 pid=$sup err=request too large closed " "513 bytes: one past the limit"
like "$(raw 00000000)" "reply ok=0 pid=$sup err=empty request closed " "a zero length"
like "$(raw 000000031cffff)" "reply ok=0 pid=$sup err=bad request: * open " \
	"a frame that is not CBOR: error reply, the connection stays usable"
like "$(raw 0000000ea2617601626f7066726562626f6f74)" "reply ok=0 pid=$sup err=bad request: unknown op open " \
	"an unknown op"
like "$(raw 0000000ea2617602626f7066737461747573)" \
	"reply ok=0 pid=$sup err=bad request: unsupported protocol version open " "protocol version 2"
like "$(raw 0000000ea2617601626f7066737461747573)" "reply ok=1 pid=$sup open " \
	"the documented status request bytes get ok"
like "$(raw 00000018a3617601626f706772657374617274646e616d6563787878)" \
	"reply ok=0 pid=$sup err=no child xxx open " "restart of an unknown child: refused, nothing done"
ok "$(status_ok "$sup" && alive "$sup" && echo 0 || echo 1)" "after all that the server still answers"
is "$(pgrep -fc "^sleep ${tag}1")" 1 "and its child was never touched"

# A frame that never completes is dropped after the I/O timeout; others
# are served meanwhile.
"$CLIENT" "$S" raw 0000000ea26176 >"$TMP/slow" 2>"$TMP/slow.err" &
slow=$!
sent() { grep -q sent "$TMP/slow.err"; }
wait_until 15 sent
ok "$(status_ok "$sup" && echo 0 || echo 1)" "a half-sent request does not block other clients"
wait "$slow"
is "$(cat "$TMP/slow")" "closed" "and is closed by the server after its deadline"

kill -TERM "$sup"
wait "$sup"
is $? 0 "the supervisor shuts down cleanly after the abuse"

# The bind guard refuses paths it must not replace.
echo precious >"$TMP/file.sock"
T supervise -n f --sock "$TMP/file.sock" -- w sleep "${tag}2" 2>"$TMP/err"; rc=$?
is "$rc" 155 "a socket path that is a regular file is refused (155)"
like "$(cat "$TMP/err")" "*file.sock is a regular file, not a socket: refusing to replace it*" "saying why"
is "$(cat "$TMP/file.sock")" precious "and the file is untouched"
ln -s "$TMP/elsewhere" "$TMP/link.sock"
T supervise -n l --sock "$TMP/link.sock" -- w sleep "${tag}2" 2>"$TMP/err"; rc=$?
is "$rc" 155 "a socket path that is a symlink is refused"
like "$(cat "$TMP/err")" "*link.sock is a symlink, not a socket*" "saying why"
ok "$([ -L "$TMP/link.sock" ] && [ ! -e "$TMP/elsewhere" ] && echo 0 || echo 1)" \
	"the symlink is untouched and nothing was created at its target"
is "$(pgrep -fc "^sleep ${tag}2")" 0 "no child was started"
ln -s "$TMP/elsewhere" "$TMP/lk2.sock.lock"
T supervise -n lk2 --sock "$TMP/lk2.sock" -- w sleep "${tag}2" 2>"$TMP/err"; rc=$?
is "$rc" 155 "a bind lock that is a symlink is refused"
if is_root; then
	touch "$TMP/lk.sock.lock"
	chown 65534 "$TMP/lk.sock.lock"
	T supervise -n lk --sock "$TMP/lk.sock" -- w sleep "${tag}2" 2>"$TMP/err"; rc=$?
	is "$rc" 155 "a bind lock owned by another user is refused"
	like "$(cat "$TMP/err")" "*lock lk.sock.lock refused: not a regular file owned by root or uid 0*" "saying why"
	ok "$([ ! -e "$TMP/lk.sock" ] && echo 0 || echo 1)" "and nothing was bound"
else
	skip "a bind lock owned by another user is refused" "needs root to chown"
	skip "saying why" "needs root"
	skip "and nothing was bound" "needs root"
fi
long=$TMP/$(printf '%0120d' 0).sock
T supervise -n x --sock "$long" -- w true 2>/dev/null; is $? 2 "a socket path longer than sun_path is a usage error"
T supervise -n x 2>/dev/null; is $? 2 "no children is a usage error"
T supervise -n x -- w 2>/dev/null; is $? 2 "a child without a command is a usage error"
T supervise -n x -- a true -- a false 2>/dev/null; is $? 2 "duplicate child names are a usage error"
T supervise -n x -- x true 2>/dev/null; is $? 2 "a child named like the supervisor is a usage error"
T supervise -n x --send status 2>/dev/null; is $? 158 "a client with no supervisor to ask: 158"
is "$(pgrep -fc "^sleep ${tag}")" 0 "nothing left running"

done_testing
