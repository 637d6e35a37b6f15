#!/bin/sh
# tether detect on real supervision trees: runit (runsvdir), s6
# (s6-svscan) and daemontools (svscan), two services each.
. "$TETHER_SRC/tests/integ/lib.sh"
T detect --help >/dev/null 2>&1 || skip_all "detect is not in this build"
have ps || skip_all "needs ps"
dir=$(realpath "$TMP")

# The `sleep` whose parent (the supervisor) has cwd $1.
daemon_of() {
	for _d in /proc/[0-9]*; do
		[ "$(cat "$_d/comm" 2>/dev/null)" = sleep ] || continue
		_pp=$(sed 's/.*) //' "$_d/stat" 2>/dev/null | cut -d' ' -f2)
		if [ -n "$_pp" ] && [ "$(readlink "/proc/$_pp/cwd" 2>/dev/null)" = "$1" ]; then
			echo "${_d#/proc/}"
			return 0
		fi
	done
	return 1
}
descendants() {
	ps -eo pid=,ppid= | awk -v root="$1" '{ p[$1] = $2 }
		END { for (x in p) { y = x; n = 0
			while ((y in p) && n++ < 64) { if (p[y] == root) { print x; break }; y = p[y] } } }'
}
gone() { ! alive "$1"; }
# Processes (not zombies) whose cwd lies under our temp dir.
leftovers() {
	for _d in /proc/[0-9]*; do
		case $(readlink "$_d/cwd" 2>/dev/null) in "$dir"/*) alive "${_d#/proc/}" && echo "${_d#/proc/}" ;; esac
	done
}

for kind in runit s6 daemontools; do
	case $kind in
	runit) scanner=runsvdir ;;
	s6) scanner=s6-svscan ;;
	daemontools) scanner=svscan ;;
	esac
	if ! have "$scanner"; then skip "$kind" "$scanner not installed"; continue; fi
	scan=$dir/$kind
	for s in a b; do
		mkdir -p "$scan/$s"
		printf '#!/bin/sh\nexec sleep 3600\n' >"$scan/$s/run"
		chmod 755 "$scan/$s/run"
	done
	"$scanner" "$scan" >"$dir/$kind.log" 2>&1 </dev/null &
	sc=$!
	track $sc
	wait_until 10 daemon_of "$scan/a" >/dev/null; wait_until 10 daemon_of "$scan/b" >/dev/null
	a=$(daemon_of "$scan/a"); b=$(daemon_of "$scan/b")
	up=1; if [ -n "$a" ] && [ -n "$b" ]; then up=0; fi
	ok $up "$kind: both services up"
	is "$(T detect "$a")" "owner=$kind dir=$scan/a" "$kind: detect names service a's dir"
	is "$(T detect "$b")" "owner=$kind dir=$scan/b" "$kind: detect names service b's dir"
	if T detect --json --cgroup /dev/null >/dev/null 2>&1; then
		is "$(T detect --json "$a")" "{\"owner\":\"$kind\",\"dir\":\"$scan/a\"}" "$kind: --json"
	else
		skip "$kind: --json" "CONFIG_JSON is off"
	fi
	is "$(T detect "$sc")" "owner=none" "$kind: the scanner itself has no owner"
	pids="$sc $(descendants "$sc")"
	for p in $pids; do kill -STOP "$p" 2>/dev/null; done
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	wait "$sc" 2>/dev/null
	left=
	for p in $pids; do wait_until 15 gone "$p"; alive "$p" && left="$left $p"; done
	is "$left" "" "$kind: every process of the tree is gone"
done
wait_until 15 test -z "$(leftovers)"
is "$(leftovers)" "" "no process left with a cwd in the test dir"
done_testing
