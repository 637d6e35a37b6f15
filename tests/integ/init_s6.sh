#!/bin/sh
# The s6 example (rootfs-overlay/etc/s6/tether-demo) under a real
# s6-svscan: tether exec records the daemon as s6-owned, restart goes
# through s6-supervise (supervise/control), the daemon and ./finish tell
# the restart from the stop by the marker, and nothing is left behind.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
have s6-svscan || skip_all "s6-svscan missing (Debian package s6)"
# shellcheck source=tests/stubs/examples.sh
. "$TETHER_SRC/tests/stubs/examples.sh"

scan_start() { exec s6-svscan "$1"; }
scan_stop() { s6-svscanctl -t "$1"; }

supervised_example s6 etc/s6 s6-supervise
done_testing
