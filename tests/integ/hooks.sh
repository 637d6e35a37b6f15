#!/bin/sh
# The post-install hook in rootfs-overlay: restarts what runs a replaced
# binary, updates with rollback when given one, and stays out of image
# builds.
. "$TETHER_SRC/tests/integ/lib.sh"
HOOK="$TETHER_SRC/rootfs-overlay/usr/share/tether/hooks/post-install"
export TETHER
tag="5$$"
cp "$(command -v sleep)" "$TMP/d"
T start -n hooked -- "$TMP/d" "${tag}1"
p0=$(pid_of hooked)

cp "$(command -v sleep)" "$TMP/d.new" && mv "$TMP/d.new" "$TMP/d"   # what opkg does
IPKG_INSTROOT=/tmp/image sh "$HOOK"; is $? 0 "during an image build (IPKG_INSTROOT) the hook exits 0"
is "$(pid_of hooked)" "$p0" "and restarts nothing"
out=$(sh "$HOOK"); rc=$?
is "$rc" 0 "on the device the hook exits 0"
p1=$(pid_of hooked)
like "$out" "hooked restarted via none: pid $p0 -> $p1" "and restarts the daemon whose binary was replaced"
is "$(sh "$HOOK")" "no daemon runs a changed binary" "a second run finds nothing to do"

cp "$(command -v sleep)" "$TMP/staged"; printf 'v2' >> "$TMP/staged"
sh "$HOOK" --binary "$TMP/staged" --target "$TMP/d" --settle 0 >/dev/null; is $? 0 "with --binary it updates through tether update"
cmp -s "$TMP/d" "$TMP/staged"; is $? 0 "the staged binary is installed"
ok "$([ "$(pid_of hooked)" != "$p1" ] && echo 0 || echo 1)" "and the daemon restarted on it"
TETHER=/nonexistent/tether sh "$HOOK" 2>"$TMP/err"; is $? 0 "without tether installed the hook exits 0"
like "$(cat "$TMP/err")" "*is missing*" "and says so"
T stop -n hooked >/dev/null
done_testing
