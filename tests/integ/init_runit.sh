#!/bin/sh
# The runit example (rootfs-overlay/etc/sv/tether-demo) under a real
# runsvdir: tether exec records the daemon as runit-owned, restart goes
# through runsv (supervise/control), the daemon and ./finish tell the
# restart from the stop by the marker, and nothing is left behind.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
have runsvdir || skip_all "runsvdir missing (Debian package runit)"
# shellcheck source=tests/stubs/examples.sh
. "$TETHER_SRC/tests/stubs/examples.sh"

scan_start() { exec runsvdir -P "$1"; }
# runsvdir on HUP sends TERM to each runsv, which exits once its service
# is down.
scan_stop() { pkill -HUP -f "^runsvdir -P $1\$"; }

supervised_example runit etc/sv runsv
done_testing
