# Shim of OpenWrt's /lib/functions/procd.sh for tests/integ/init_procd.sh:
# records what an init script registers with procd, one call a line, in
# $PROCD_SHIM_LOG ("open_instance", "set_param command ARG...", ...), each
# argument as one word (arguments with blanks are refused: procd would
# keep them, this log could not show them).
: "${PROCD_SHIM_LOG:?set PROCD_SHIM_LOG}"

_procd_log() {
	for _a in "$@"; do
		case $_a in *[[:space:]]*) echo "procd shim: argument with a blank: '$_a'" >&2; return 1 ;; esac
	done
	echo "$*" >>"$PROCD_SHIM_LOG"
}
_procd_open=
procd_open_instance() {
	[ -z "$_procd_open" ] || { echo "procd shim: instance already open" >&2; return 1; }
	_procd_open=${1:-instance1}
	_procd_log open_instance "$_procd_open"
}
procd_set_param() {
	[ -n "$_procd_open" ] || { echo "procd shim: procd_set_param outside an instance" >&2; return 1; }
	_procd_log set_param "$@"
}
procd_append_param() { procd_set_param "$@"; }
procd_close_instance() {
	[ -n "$_procd_open" ] || { echo "procd shim: no instance open" >&2; return 1; }
	_procd_open=
	_procd_log close_instance
}
procd_open_trigger() { _procd_log open_trigger; }
procd_close_trigger() { _procd_log close_trigger; }
procd_add_reload_trigger() { _procd_log add_reload_trigger "$@"; }
