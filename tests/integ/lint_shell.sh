#!/bin/sh
# Every shell script the integration ships (rootfs-overlay/, board/) and the
# shell tests parse under BusyBox ash (the shell of OpenWrt and most
# Buildroot images) and pass shellcheck. Ours pass it at every severity;
# the rest of the tree (other tests, cross/, .ci/run) at severity error,
# with their warnings listed as diagnostics.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
cd "$TETHER_SRC" || exit 1

# The shell (sh or bash) a file is written for, or nothing.
dialect() {
	case $(head -n 1 "$1") in
	'#!'*bash*) echo bash ;;
	'#!'*/sh | '#!'*/sh\ * | '#!'*/ash | '#!'*/dash | '#!'*env\ sh) echo sh ;;
	*) case $1 in *.sh | */uci-defaults/*) echo sh ;; esac ;;  # sourced, no shebang
	esac
}
existing() { for _f in "$@"; do [ -f "$_f" ] && echo "$_f"; done; }
ours=$(find rootfs-overlay board tests/stubs -type f 2>/dev/null | sort
	existing tests/integ/init_*.sh tests/integ/pkg_*.sh tests/integ/lint_shell.sh tests/integ/man.sh)
theirs=$(existing tests/integ/*.sh tests/*.sh cross/*.sh .ci/run | while read -r f; do
	case " $(echo "$ours" | tr '\n' ' ') " in *" $f "*) ;; *) echo "$f" ;; esac
done)

ash="busybox sh"
busybox sh -c : 2>/dev/null || ash=
sc=
have shellcheck && sc=shellcheck

check() { # check FILE SEVERITY
	d=$(dialect "$1")
	[ -n "$d" ] || return 0
	if [ "$d" = bash ]; then
		bash -n "$1" 2>"$TMP/err"
		is "$?:$(cat "$TMP/err")" "0:" "$1 parses (bash -n)"
	elif [ -n "$ash" ]; then
		$ash -n "$1" 2>"$TMP/err"
		is "$?:$(cat "$TMP/err")" "0:" "$1 parses under busybox ash"
	else
		skip "$1 parses under busybox ash" "busybox missing (busybox-static)"
	fi
	if [ -z "$sc" ]; then
		skip "$1 passes shellcheck" "shellcheck missing"
		return 0
	fi
	shellcheck -x -s "$d" -S "$2" -f gcc "$1" >"$TMP/sc" 2>&1
	rc=$?
	ok "$rc" "$1 passes shellcheck -s $d (severity $2)"
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/sc"
	if [ "$2" = error ]; then
		shellcheck -x -s "$d" -S warning -f gcc "$1" 2>/dev/null | sed 's/^/# not ours, warning: /'
	fi
}

n=0
for f in $ours; do
	[ -n "$(dialect "$f")" ] && n=$((n + 1))
	check "$f" style
done
ok "$([ "$n" -ge 10 ]; echo $?)" "found the shipped and test scripts ($n)"
for f in $theirs; do check "$f" error; done
done_testing
