#!/bin/sh
# make demo: one daemon's life under tether, in a throwaway state dir, no
# root needed: start, status with identity, the record, restart, a PID
# reuse caught, stop.
: "${TETHER:?run through make demo}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/tether-demo.XXXXXX")
export TETHER_STATE_DIR="$dir/state"
trap '"$TETHER" stop -n demo-web >/dev/null 2>&1; rm -rf "$dir"' EXIT

run() { printf '\n$ tether %s\n' "$*"; "$TETHER" "$@"; echo "[exit $?]"; }
say() { printf '\n# %s\n' "$*"; }

say "state dir: $TETHER_STATE_DIR"
say "1. start a daemon detached (the unsupervised path)"
run start -n demo-web -- sleep 600
say "2. status verifies the identity: pid, /proc start time, boot id"
run status -n demo-web
run status -n demo-web --shell
if "$TETHER" help cbor-diag >/dev/null 2>&1; then
	say "the record on disk (CBOR), read back with cbor-diag"
	printf '\n$ tether cbor-diag < %s\n' "$TETHER_STATE_DIR/demo-web.cbor"
	"$TETHER" cbor-diag < "$TETHER_STATE_DIR/demo-web.cbor"
fi
say "3. a second start must not spawn a second copy"
run start -n demo-web -- sleep 600
say "4. restart routes through the owner; here there is none, so tether"
say "   stops it by identity and spawns it again from the record"
run restart -n demo-web
run list

say "5. PID reuse: a stale record whose pid now belongs to another process"
if unshare -r --pid --fork --mount-proc true 2>/dev/null; then
	unshare -r --pid --fork --mount-proc sh -c '
		sh -c "exec \"\$0\" exec -n victim -- sleep 600" "$1" &
		v=$!
		while [ "$(cat /proc/$v/comm 2>/dev/null)" != sleep ]; do sleep 0.01; done
		kill -9 $v; wait $v 2>/dev/null
		sleep 0.05
		echo $((v - 1)) > /proc/sys/kernel/ns_last_pid
		sleep 600 &
		echo "# (in a new PID namespace: the daemon died, pid $v went to another sleep)"
		printf "\n\$ tether status -n victim\n"; "$1" status -n victim; echo "[exit $? = pid reused]"
		printf "\n\$ tether stop -n victim\n"; "$1" stop -n victim; echo "[exit $?: nothing signalled]"
		kill -0 $! && echo "# the impostor (pid $!) is still running, untouched"
		kill $!' sh "$TETHER"
else
	say "(skipped: this machine does not allow a private PID namespace)"
fi

say "6. stop: TERM, grace, KILL, by identity only"
run stop -n demo-web
run status -n demo-web
