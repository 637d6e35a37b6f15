#include "sup.h"

/* daemontools' supervise reads supervise/control: "tu" is `svc -t -u`
 * (TERM, and wanted up so a stopped service starts), "d" is `svc -d`. */
const struct sup_backend sup_daemontools = {
	.type = OWNER_DAEMONTOOLS,
	.parent = "supervise",
	.restart_cmd = "tu",
	.stop_cmd = "d",
};
