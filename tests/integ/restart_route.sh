#!/bin/sh
# tether restart goes through the daemon's owner, against real runit and
# s6: the supervised daemon is never pre-stopped or double-spawned, its
# siblings are untouched, a self-restart is handed off, and the naive
# "kill and spawn a detached copy" path is shown crash-looping beside it.
. "$TETHER_SRC/tests/integ/lib.sh"
PORTD=$TETHER_HELPERS/portd
[ -x "$PORTD" ] || skip_all "helper portd not built"
tag="6$$"
port=$((20000 + $$ % 20000))
count() { _c=0; for _p in $(pgrep -f "$1"); do alive "$_p" && _c=$((_c + 1)); done; echo "$_c"; }
holder() { ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
have ss || skip_all "ss (iproute2) missing"
# Write to a supervise/control FIFO without hanging when nobody reads it.
control() { timeout 2 sh -c 'printf "$1" > "$2"' sh "$1" "$2" 2>/dev/null; }

sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }  # shell-quote
# service KIND DIR NAME CMD...: a run script that records NAME via tether exec
service() {
	sd=$2; sn=$3; shift 3
	mkdir -p "$sd"
	{ echo '#!/bin/sh'; printf 'exec %s --state-dir %s exec -n %s --' "$(sq "$TETHER")" "$(sq "$TETHER_STATE_DIR")" "$sn"
	  for _a in "$@"; do printf ' %s' "$(sq "$_a")"; done; echo; } > "$sd/run"
	chmod +x "$sd/run"
}

supervisor_test() { # KIND SCANNER
	kind=$1 scandir="$TMP/$1"
	service "$kind" "$scandir/web" "web-$kind" "$PORTD" "$port" "${tag}1$kind"
	service "$kind" "$scandir/side" "side-$kind" sleep "${tag}2"
	# A daemon that restarts itself once "go" appears, then takes 0.3 s
	# (answering whoever asked) before it records the exit code tether
	# gave it: the handoff leaves it HANDOFF_SETTLE_MS (1 s) for that.
	service "$kind" "$scandir/self" "self-$kind" sh -c \
		'while [ ! -e "$0/go" ]; do sleep 0.05; done; rm -f "$0/go"; "$1" restart -n "$2"; r=$?; sleep 0.3; echo "rc=$r" >> "$0/rc"; exec sleep "$3"' \
		"$TMP/$kind-self" "$TETHER" "self-$kind" "${tag}3"
	mkdir -p "$TMP/$kind-self"
	if [ "$kind" = runit ]; then runsvdir -P "$scandir" >/dev/null 2>&1 & else s6-svscan "$scandir" >/dev/null 2>&1 & fi
	scan=$!; track "$scan"
	up() { T status -n "web-$kind" >/dev/null 2>&1 && T status -n "side-$kind" >/dev/null 2>&1 && [ -n "$(holder)" ]; }
	if ! wait_until 10 up; then ok 1 "$kind: both services came up"; return; fi
	w0=$(pid_of "web-$kind"); s0=$(pid_of "side-$kind"); sup=$(ppid_of "$w0")

	# The naive path: kill the daemon, spawn a detached copy. The
	# supervisor respawns its own, which cannot bind: a crash loop.
	# (The supervisor is held with SIGSTOP while the copy binds, so the
	# race always goes the way it goes in the field when the copy wins.)
	kill -STOP "$sup"
	kill "$w0"
	# portd exits at once if the port is still held, so the copy must
	# not start before the killed daemon has let the port go.
	port_free() { [ -z "$(holder)" ]; }
	wait_until 15 port_free
	setsid "$PORTD" "$port" "${tag}9" </dev/null >/dev/null 2>&1 &
	naive=$!
	naive_bound() { [ "$(holder)" = "$naive" ]; }
	wait_until 15 naive_bound
	kill -CONT "$sup"
	sleep 2.5
	h=$(holder)
	is "$h" "$naive" "$kind naive path: the detached copy holds the port"
	# Each respawn runs tether exec, which records its new pid: two
	# respawns past the killed daemon are a loop. The supervisor paces
	# them (about one a second), so wait for them rather than count
	# what a fixed window happens to hold.
	pids=""
	respawns() {
		p=$(pid_of "web-$kind"); case " $w0 $pids " in *" $p "*) ;; *) pids="$pids $p" ;; esac
		[ "$(echo $pids | wc -w)" -ge 2 ]
	}
	wait_until 15 respawns
	n=$(echo $pids | wc -w)
	ok "$([ "$n" -ge 2 ] && echo 0 || echo 1)" "$kind naive path: the supervised copy crash-loops ($n respawns seen)"
	kill "$naive"; wait "$naive" 2>/dev/null
	steady() { p=$(holder); [ -n "$p" ] && [ "$(ppid_of "$p")" = "$sup" ] && T status -n "web-$kind" >/dev/null 2>&1; }
	wait_until 10 steady
	w1=$(pid_of "web-$kind")

	# tether's route: one restart request to the supervisor.
	out=$(T restart -n "web-$kind" -t 10); rc=$?
	is "$rc" 0 "$kind: tether restart exits 0"
	w2=$(pid_of "web-$kind")
	like "$out" "web-$kind restarted via $kind: pid $w1 -> $w2" "$kind: reports the route and old and new pid"
	# restart returns once the new daemon has exec'd; it binds after that.
	holds() { [ "$(holder)" = "$1" ]; }
	wait_until 10 holds "$w2"
	is "$(holder)" "$w2" "$kind: the new daemon holds the port"
	is "$(ppid_of "$w2")" "$sup" "$kind: it is the supervisor's child (never spawned by tether)"
	is "$(count "${tag}1$kind")" 1 "$kind: exactly one daemon for the port"
	is "$(pid_of "side-$kind")" "$s0" "$kind: the sibling service keeps its identity"
	like "$(T status -n "web-$kind" --json)" '*"restarts":1*' "$kind: the marker was consumed: restarts counted once"
	T marker -n "web-$kind"; is $? 163 "$kind: no marker is left behind"

	# Self-restart from inside the daemon: handed off, returns 150.
	selfup() { T status -n "self-$kind" >/dev/null 2>&1; }
	if wait_until 12 selfup; then
		x0=$(pid_of "self-$kind")
		touch "$TMP/$kind-self/go"
		newself() { p=$(pid_of "self-$kind"); [ -n "$p" ] && [ "$p" != "$x0" ]; }
		wait_until 15 newself; x1=$(pid_of "self-$kind")
		is "$(head -1 "$TMP/$kind-self/rc" 2>/dev/null)" "rc=150" "$kind self-restart: the caller got 150 (scheduled) and lived 0.3 s more to write it"
		ok "$([ -n "$x1" ] && [ "$x1" != "$x0" ] && echo 0 || echo 1)" "$kind self-restart: the daemon was restarted afterwards ($x0 -> $x1)"
		like "$(tr '\0' ' ' < "/proc/$(ppid_of "$x1")/cmdline")" "*s* self *" "$kind self-restart: by its supervisor (runsv or s6-supervise)"
	else
		skip "$kind self-restart" "the self service did not come up"
	fi

	# Stop through the supervisor: the record stays, marked stopped, so
	# a later restart asks the supervisor to start it again.
	T stop -n "side-$kind"; is $? 0 "$kind: tether stop exits 0"
	ok "$(alive "$s0" && echo 1 || echo 0)" "$kind: the daemon is gone"
	out=$(T status -n "side-$kind"); rc=$?
	is "$rc" 3 "$kind: status after stop: 3 (not running)"
	like "$out" "side-$kind stopped *" "$kind: and says stopped"
	sleep 1.2
	ok "$(T status -n "side-$kind" >/dev/null; [ $? = 3 ] && echo 0 || echo 1)" "$kind: the supervisor keeps it down"
	# A copy started beside the supervisor would make its run script's
	# tether exec exit 152 on the next start through it: a crash loop.
	T start -n "side-$kind" -- sleep "${tag}2" 2>"$TMP/err"; rc=$?
	is "$rc" 164 "$kind: tether start of the stopped daemon is refused (164)"
	like "$(cat "$TMP/err")" "*side-$kind is managed by $kind ($scandir/side)*tether restart -n side-$kind*" \
		"$kind: naming the owner and the way to start it"
	is "$(count "${tag}2")" 0 "$kind: nothing is spawned beside $kind"
	T restart -n "side-$kind" -t 10 >/dev/null; is $? 0 "$kind: restart of the stopped daemon starts it through $kind"
	T status -n "side-$kind" >/dev/null; is $? 0 "$kind: running again"

	for s in web side self; do control dx "$scandir/$s/supervise/control"; done
	kill "$scan" 2>/dev/null; wait "$scan" 2>/dev/null
	gone() { [ "$(count "${tag}1$kind")" = 0 ] && [ "$(count "${tag}2")" = 0 ] && [ "$(count "${tag}3")" = 0 ]; }
	wait_until 15 gone
	ok "$(gone; echo $?)" "$kind: no orphan left"
}

if have runsvdir; then supervisor_test runit; else skip "runit route" "runit not installed"; fi
if have s6-svscan; then supervisor_test s6; else skip "s6 route" "s6 not installed"; fi

# --- records written by hand or by an older tether (python3-cbor2) ---
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import cbor2' 2>/dev/null; then
	mkrec() { # mkrec NAME PID OWNER-PYTHON-DICT|None
		/usr/bin/python3 - "$TETHER_STATE_DIR" "$1" "$2" "$3" <<'EOF'
import cbor2, os, sys
d, name, pid, owner = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
st = open("/proc/%d/stat" % pid).read()
start = int(st[st.rindex(")") + 2:].split()[19])
rec = {"v": 1, "name": name, "pid": pid, "start": start, "argv": ["sleep", "1"], "since": 0, "restarts": 0}
if owner != "None":
    rec["owner"] = eval(owner)
os.makedirs(d, mode=0o700, exist_ok=True)
with open(os.path.join(d, name + ".cbor"), "wb") as f:
    f.write(cbor2.dumps(cbor2.CBORTag(55799, rec)))
os.chmod(os.path.join(d, name + ".cbor"), 0o600)
EOF
	}
	sleep "${tag}4" & a=$!; sleep "${tag}5" & b=$!; track "$a" "$b"
	# A systemd-owned record on a machine whose PATH has no systemctl.
	mkrec sysd "$a" "{'type': 'systemd', 'unit': 'foo.service'}"
	# A PATH without systemctl (but with the test's wrapper, e.g. valgrind).
	mkdir -p "$TMP/nopath"
	for w in $TETHER_WRAP; do
		printf '#!/bin/sh\nexec %s "$@"\n' "$(command -v "$w")" > "$TMP/nopath/$w"
		chmod +x "$TMP/nopath/$w"
		break
	done
	PATH="$TMP/nopath" T restart -n sysd 2>"$TMP/err"; rc=$?
	is "$rc" 158 "systemd owner without systemctl: 158 (tool missing)"
	like "$(cat "$TMP/err")" "*systemctl*" "naming the missing tool"
	ok "$(alive "$a"; echo $?)" "and no fallback touched the daemon"
	T marker -n sysd 2>/dev/null; is $? 163 "a restart that was not accepted leaves no marker"
	# Two records of one procd service restart it once.
	mkdir -p "$TMP/initd"
	cat > "$TMP/initd/multi" <<EOF
#!/bin/sh
# stands in for a procd init script (procd itself does not run here)
echo "\$1" >> "$TMP/initd/calls"
EOF
	chmod +x "$TMP/initd/multi"
	mkrec m1 "$a" "{'type': 'procd', 'service': 'multi', 'instance': 'i1'}"
	mkrec m2 "$b" "{'type': 'procd', 'service': 'multi', 'instance': 'i2'}"
	out=$(TETHER_INITD_DIR="$TMP/initd" T restart -n m1 -n m2 --no-wait); rc=$?
	is "$rc" 0 "two records of one procd service: restart exits 0"
	is "$(cat "$TMP/initd/calls")" "restart" "the service was restarted exactly once"
	like "$(T restart -n m1 -n m2 --dry-run)" "*m2 * via owner=procd service=multi*(restarted together with m1)*" "--dry-run shows the shared route"
	# A legacy record (no owner) with no /proc: the unsupervised path.
	mkrec legacy "$b" None
	TETHER_PROC="$TMP/none" T restart -n legacy -t 5 >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "$rc" 0 "legacy record, no /proc: restarted"
	like "$(cat "$TMP/err")" "*no /proc*unsupervised path*" "with a one-line notice"
	like "$(cat "$TMP/out")" "legacy restarted via none: pid $b -> *" "via the unsupervised route"
	T stop -n legacy >/dev/null 2>&1
else
	skip "hand-written records" "python3-cbor2 missing"
fi

# --- markers ---
T start -n mk -- sleep "${tag}6" >/dev/null
T marker -n mk; is $? 163 "no marker: 163"
T marker -n mk --set; T marker -n mk; is $? 0 "after --set: 0 (a restart is expected)"
T marker -n mk --clear; T marker -n mk; is $? 163 "after --clear: 163"
T marker -n mk --set --ttl 1; sleep 2.2
T marker -n mk 2>"$TMP/err"; is $? 163 "an expired marker is ignored"
like "$(cat "$TMP/err")" "*stale marker*mk.marker*" "and reported as stale"
printf 'garbage' > "$TETHER_STATE_DIR/mk.marker"
T marker -n mk 2>"$TMP/err"; is $? 163 "a malformed marker is ignored"
like "$(cat "$TMP/err")" "*malformed marker*mk.marker*" "and reported"
T stop -n mk >/dev/null

done_testing
