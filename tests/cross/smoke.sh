# Smoke test of a cross-built tether under qemu-user (make ARCH=... check),
# also fine on the host. What it runs must hold whatever process identity
# qemu fakes: the daemon here is a host binary that tether spawns, so its
# /proc entry is real; only tether itself runs emulated.
. "$TETHER_SRC/tests/integ/lib.sh"

out=$(T --version 2>&1); rc=$?
is "$rc" 0 "--version exits 0"
like "$out" "tether [0-9]*" "--version names tether and its version"

out=$(T --help 2>&1); rc=$?
is "$rc" 0 "--help exits 0"
like "$out" "usage: tether*" "--help prints the usage"

T no-such-command >/dev/null 2>&1; rc=$?
is "$rc" 2 "an unknown command is a usage error (exit 2)"

# A command that is still a stub says so; its cases are skipped, not failed.
stub() { case $1 in *"not implemented"*) return 0 ;; esac; return 1; }

out=$(T status -n smoke 2>&1); rc=$?
if stub "$out"; then
	skip "status of an unknown daemon is 3 (not running)" "status not implemented"
else
	is "$rc" 3 "status of an unknown daemon is 3 (not running)"
fi

out=$(T start -n smoke -- sleep 30 2>&1); rc=$?
if stub "$out"; then
	skip "start, status, stop a daemon" "start not implemented"
else
	is "$rc" 0 "start spawns a daemon"
	[ "$rc" -ne 0 ] && diag "$out"
	pid=$(T status -n smoke --shell 2>/dev/null | sed -n 's/^TETHER_PID=//p' | tr -d "'\"")
	[ -n "$pid" ] && track "$pid"
	out=$(T status -n smoke 2>&1); rc=$?
	is "$rc" 0 "status of the started daemon is 0 (running)"
	[ "$rc" -ne 0 ] && diag "$out"
	out=$(T stop -n smoke 2>&1); rc=$?
	if stub "$out"; then
		skip "stop ends the daemon" "stop not implemented"
	else
		is "$rc" 0 "stop ends the daemon"
		[ "$rc" -ne 0 ] && diag "$out"
		T status -n smoke >/dev/null 2>&1; rc=$?
		ok "$([ "$rc" -eq 1 ] || [ "$rc" -eq 3 ]; echo $?)" "status after stop is not running (1 or 3, got $rc)"
	fi
fi

done_testing
