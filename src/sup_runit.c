#include "sup.h"

/* runsv reads supervise/control; "tcu" is `sv restart` (TERM, CONT, up),
 * "d" is `sv down`. */
const struct sup_backend sup_runit = {
	.type = OWNER_RUNIT,
	.parent = "runsv",
	.restart_cmd = "tcu",
	.stop_cmd = "d",
};
