# Shared helpers for the integration tests (POSIX sh, TAP output).
# Each test: . "$TETHER_SRC/tests/integ/lib.sh"; ...; done_testing
: "${TETHER:?run through make check}"
# The outer make's variables are not for the makes some tests run.
SANITIZED=${SANITIZE:-0}
unset SANITIZE VALGRIND O KCONFIG_CONFIG MAKEFLAGS MFLAGS MAKELEVEL
: "${TETHER_SRC:=$(pwd)}"
_n=0 _failed=0

# The tether under test, wrapped by valgrind under make valgrind-check.
T() { $TETHER_WRAP "$TETHER" "$@"; }
# own_lines FILE: FILE without valgrind's own "--PID-- WARNING: unhandled
# syscall" lines (pidfd_open), which -q does not silence.
own_lines() { grep -v '^--[0-9]*-- ' "$1"; }

ok() { # ok STATUS DESCRIPTION  (STATUS 0 = pass)
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "# expected '$2', got '$1'"; fi
}
like() { # like GOT PATTERN DESCRIPTION  (shell case pattern)
	case $1 in $2) ok 0 "$3" ;; *) ok 1 "$3"; echo "# expected to match '$2', got '$1'" ;; esac
}
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
diag() { echo "# $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }

is_root() { [ "$(id -u)" = 0 ]; }
have() { command -v "$1" >/dev/null 2>&1; }

# A process counts as running only if it exists and is not a zombie:
# PID 1 here reaps orphans late, so kill -0 succeeds on the dead.
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}
starttime() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
# ppid_of PID: its parent's pid (nothing once it is gone), without a fork.
ppid_of() {
	read -r _stat 2>/dev/null <"/proc/$1/stat" || return 1
	_stat=${_stat##*) }
	_stat=${_stat#* }
	echo "${_stat%% *}"
}
# status_of NAME VAR: one value of `tether status --shell` (TETHER_PID...);
# pid_of NAME: the recorded pid. Nothing when there is no such record.
status_of() { T status -n "$1" --shell 2>/dev/null | sed -n "s/.*$2='\([^']*\)'.*/\1/p"; }
pid_of() { status_of "$1" TETHER_PID; }
# sig_set PID MASK SIGNUM: signal SIGNUM (1-32) is in PID's MASK line of
# /proc/PID/status: SigCgt once a shell's trap for it is set, SigIgn once
# it is trapped to ''. A shell takes a signal's default action until
# then, so wait for this before signalling a freshly started script.
sig_set() {
	_m=$(sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null)
	[ -n "$_m" ] || return 1
	_m=${_m#"${_m%????????}"}
	[ $(((0x$_m >> ($3 - 1)) & 1)) -eq 1 ]
}

# wait_until SECONDS CMD...: poll CMD every 20 ms; 0 once it succeeds.
wait_until() {
	_end=$(( $(date +%s) + $1 )); shift
	while ! "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.02
	done
}

# A private state dir, removed on exit with every process the test left.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tether-test.XXXXXX")
export TETHER_STATE_DIR="$TMP/state"
_cleanup_pids=
track() { _cleanup_pids="$_cleanup_pids $*"; }
_cleanup() {
	for _p in $_cleanup_pids; do kill -9 "$_p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap _cleanup EXIT
