#!/bin/sh
# Kconfig options really remove code: every bool option switched off on
# its own gives a binary that builds with -Werror, is smaller than the
# default one, still runs a daemon's life (start, status, restart, stop)
# and has lost what the option names; board/minimal is smaller than all.
. "$TETHER_SRC/tests/integ/lib.sh"
have size || skip_all "size (binutils) missing"
tag="7$$"
jobs=$(nproc 2>/dev/null || echo 2)

# build NAME [CONFIG-LINE...]: the Kconfig defaults with those lines,
# built into $TMP/NAME; prints nothing, fails with the build's log.
build() {
	_d=$TMP/$1; shift
	mkdir -p "$_d"
	printf '%s\n' "$@" >"$_d/frag"
	awk -f "$TETHER_SRC/board/kconfig.awk" -v mode=config "$TETHER_SRC/Kconfig" "$_d/frag" >"$_d/config" 2>"$_d/log" &&
		make -C "$TETHER_SRC" -j"$jobs" --no-print-directory O="$_d" KCONFIG_CONFIG="$_d/config" "$_d/tether" >>"$_d/log" 2>&1
}
# code and data in bytes (text + data): the file size moves in pages
size_of() { size "$TMP/$1/tether" | awk 'NR == 2 { print $1 + $2 }'; }

# life NAME: the daemon's life with the binary built as NAME.
life() {
	_t=$TMP/$1/tether _s=$TMP/$1/state
	TETHER_STATE_DIR=$_s "$_t" start -n d -- sleep "$tag$2" >/dev/null 2>&1 || return 1
	_p0=$(TETHER_STATE_DIR=$_s "$_t" status -n d --shell 2>/dev/null | sed -n "s/.*TETHER_PID='\([0-9]*\)'.*/\1/p")
	TETHER_STATE_DIR=$_s "$_t" restart -n d -t 10 >/dev/null 2>&1 || return 2
	_p1=$(TETHER_STATE_DIR=$_s "$_t" status -n d --shell 2>/dev/null | sed -n "s/.*TETHER_PID='\([0-9]*\)'.*/\1/p")
	[ -n "$_p0" ] && [ -n "$_p1" ] && [ "$_p0" != "$_p1" ] && alive "$_p1" || return 3
	TETHER_STATE_DIR=$_s "$_t" stop -n d >/dev/null 2>&1 || return 4
	! alive "$_p1" || return 5
	TETHER_STATE_DIR=$_s "$_t" status -n d >/dev/null 2>&1
	[ $? = 3 ] || return 6
}

if ! build default; then
	diag "$(tail -5 "$TMP/default/log")"
	ok 1 "the default config builds"
	done_testing
	exit
fi
ok 0 "the default config builds"
full=$(size_of default)
like "$("$TMP/default/tether" --help)" "*detect*cbor-diag*" "every command is in the default build"

# What each option's absence must show, beyond a smaller binary.
gone() { # gone OPTION: 0 if what OPTION adds is missing from its build
	_t=$TMP/$1/tether
	case $1 in
	CMD_DETECT | CMD_CBOR_DIAG | CMD_SUPERVISE | CMD_UP | CMD_UPDATE)
		_c=$(echo "${1#CMD_}" | tr 'A-Z_' 'a-z-')
		"$_t" "$_c" --help >/dev/null 2>&1
		[ $? = 2 ] && ! "$_t" --help | grep -q "^  $_c " ;;
	CTL) # the supervisor needs the control socket: it goes too
		"$_t" supervise --help >/dev/null 2>&1
		[ $? = 2 ] ;;
	JSON)
		TETHER_STATE_DIR=$TMP/$1/state "$_t" list --json >/dev/null 2>&1
		[ $? = 2 ] ;;
	VERBOSE)
		[ -z "$("$_t" -v detect 2>&1 >/dev/null)" ] &&
			[ -n "$("$TMP/default/tether" -v detect 2>&1 >/dev/null)" ] ;;
	LONG_USAGE)
		[ "$("$_t" list --help | wc -l)" = 1 ] && [ "$("$TMP/default/tether" list --help | wc -l)" -gt 1 ] ;;
	*) return 0 ;; # backends and pidfds: the size and the life say it
	esac
}

i=0 smallest=$full
for opt in $(sed -n 's/^config \([A-Z0-9_]*\)$/\1/p' "$TETHER_SRC/Kconfig"); do
	# bools only: the next line says so
	grep -A1 "^config $opt\$" "$TETHER_SRC/Kconfig" | grep -q '^[[:space:]]*bool' || continue
	i=$((i + 1))
	if ! build "$opt" "# CONFIG_$opt is not set"; then
		diag "$(tail -5 "$TMP/$opt/log")"
		ok 1 "$opt off: builds with -Werror"
		continue
	fi
	s=$(size_of "$opt")
	[ "$s" -lt "$smallest" ] && smallest=$s
	ok "$([ "$s" -lt "$full" ] && echo 0 || echo 1)" "$opt off: smaller ($s < $full bytes of code and data)"
	life "$opt" "$i"; r=$?
	is "$r" 0 "$opt off: start, status, restart and stop still work"
	gone "$opt"; is $? 0 "$opt off: what it adds is gone"
	rm -f "$TMP/$opt"/*.o
done
ok "$([ "$i" -ge 15 ] && echo 0 || echo 1)" "every bool option was tried ($i)"

if build minimal "$(cat "$TETHER_SRC/board/minimal/defconfig")"; then
	m=$(size_of minimal)
	ok "$([ "$m" -lt "$smallest" ] && echo 0 || echo 1)" \
		"board/minimal is smaller than any one option off ($m < $smallest bytes of code and data)"
	life minimal 99; is $? 0 "board/minimal: start, status, restart and stop work"
else
	diag "$(tail -5 "$TMP/minimal/log")"
	ok 1 "board/minimal builds"
fi

done_testing
