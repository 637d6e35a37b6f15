#!/bin/sh
# The top level of the command line: global options before COMMAND
# (parsed like every command's: --opt VALUE or --opt=VALUE, grouped -vv,
# "--"), --help, --version, help COMMAND, and the usage errors, each one
# line on stderr and exit 2.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
unset TETHER_STATE_DIR
dir=$TMP/state

out=$(T --version); like "$?:$out" "0:tether [0-9]*.[0-9]*" "--version prints the version, exit 0"
like "$(T --help)" "usage: tether *commands:*status*" "--help lists the commands, exit 0"
like "$(T help status)" "usage: tether status *" "help COMMAND prints that command's usage"
like "$(T help)" "usage: tether *commands:*status*" "help alone is --help"
T help nosuch >/dev/null 2>"$TMP/err"; is "$?" 2 "help of an unknown command exits 2"
like "$(head -1 "$TMP/err")" "tether: unknown command: nosuch" "naming it"

T >/dev/null 2>"$TMP/err"; is "$?" 2 "no command: usage, exit 2"
T frobnicate >/dev/null 2>"$TMP/err"; is "$?" 2 "an unknown command: exit 2"
is "$(head -n 1 "$TMP/err")" "tether: unknown command: frobnicate" "named on one line"
T --bogus status >/dev/null 2>"$TMP/err"; is "$?" 2 "an unknown global option: exit 2"
is "$(head -n 1 "$TMP/err")" "tether: unknown option: --bogus" "named on one line"
T --state-dir >/dev/null 2>"$TMP/err"; is "$?" 2 "--state-dir without a value: exit 2"
is "$(head -n 1 "$TMP/err")" "tether: option needs an argument: --state-dir" "named on one line"
T --version=2 >/dev/null 2>"$TMP/err"; is "$?" 2 "a value for a flag: exit 2"
is "$(head -n 1 "$TMP/err")" "tether: option takes no argument: --version=2" "named on one line"

T --state-dir="$dir" start -n cli -- sleep "7$$" ; is "$?" 0 "--state-dir=DIR before the command"
pid=$(T --state-dir "$dir" status -n cli --shell | sed -n "s/.*TETHER_PID='\([0-9]*\)'.*/\1/p")
track "$pid"
ok "$([ -n "$pid" ] && [ -f "$dir/cli.cbor" ]; echo $?)" "--state-dir DIR names the same store, which holds the record"
T -vv --state-dir="$dir" -- status -n cli >/dev/null 2>&1; is "$?" 0 "grouped -vv and -- before the command"
T --state-dir="$dir" stop -n cli; is "$?" 0 "and the daemon stops"

# Started with stdout and stderr closed (init, cron, hooks do that): the
# files tether opens must not become fds 1 and 2 and take its messages.
# valgrind itself needs fd 2, so this runs tether bare.
Tbare() { "$TETHER" "$@"; }
Tbare --state-dir="$dir" start -n closed -- /nonexistent/prog >&- 2>&-; is "$?" 1 "a failing start with fds 1 and 2 closed exits 1"
Tbare --state-dir="$dir" start -n closed2 -- sleep 1000 <&- >&- 2>&-; is "$?" 0 "a start with fds 0-2 closed works"
track "$(Tbare --state-dir="$dir" status -n closed2 --shell | sed -n "s/.*TETHER_PID='\([0-9]*\)'.*/\1/p")"
Tbare --state-dir="$dir" start -n closed2 -- sleep 1000 >&- 2>&-; is "$?" 152 "again: already running, exit 152"
is "$(cat "$dir"/closed.lock "$dir"/closed2.lock)" "" "no message was written into a lock file"
Tbare --state-dir="$dir" status -n closed2 >/dev/null 2>&1; is "$?" 0 "nor into the record: it reads back, running"
Tbare --state-dir="$dir" stop -n closed2 >&- 2>&-; is "$?" 0 "stop with fds closed"

# status without -n: every record; none at all is 0, whether the state
# dir is empty or not there.
mkdir -m 700 "$TMP/empty"
out=$(T --state-dir "$TMP/empty" status); is "$?:$out" "0:" "status with no records (empty dir): 0, nothing printed"
out=$(T --state-dir "$TMP/missing" status); is "$?:$out" "0:" "status with no records (no dir): 0 too"
T --state-dir "$TMP/missing" status -n x >/dev/null; is "$?" 3 "status -n of a name with no dir: 3"

# A bad value names its option.
if T supervise --help >/dev/null 2>&1; then
	T supervise -n x --give-up 100 -- a sleep 1 2>"$TMP/err"; is "$?" 2 "a value out of range exits 2"
	is "$(head -1 "$TMP/err")" "tether: supervise: bad value for --give-up: 100" "naming the option"
fi
T restart -n x --timeout=abc 2>"$TMP/err"; is "$?" 2 "a value that is not a number exits 2"
is "$(head -1 "$TMP/err")" "tether: restart: bad value for --timeout: abc" "naming the option, without its =value"

# A full stdout (/dev/full) is an error, not a silent truncation.
if [ -w /dev/full ]; then
	T --help >/dev/full 2>/dev/null; is "$?" 1 "--help to a full stdout exits 1"
	T --version >/dev/full 2>/dev/null; is "$?" 1 "--version too"
	T status --help >/dev/full 2>/dev/null; is "$?" 1 "COMMAND --help too"
	T --state-dir="$dir" start -n full -- sleep 1000 && track "$(T --state-dir="$dir" status -n full --shell | sed -n "s/.*TETHER_PID='\([0-9]*\)'.*/\1/p")"
	T --state-dir="$dir" list >/dev/full 2>"$TMP/err"; is "$?" 1 "list of a record too"
	is "$(cat "$TMP/err")" "tether: list: cannot write stdout: No space left on device" "saying so"
	T --state-dir="$dir" status -n full >/dev/full 2>"$TMP/err"; is "$?" 0 "status keeps its LSB code (0: running)"
	is "$(cat "$TMP/err")" "tether: status: cannot write stdout: No space left on device" "and says it could not print"
	T --state-dir="$dir" stop -n full
else
	skip "a full stdout" "no /dev/full"
fi

done_testing
