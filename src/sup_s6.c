#include "sup.h"

/* s6-supervise reads supervise/control: "r" signals the service (its
 * down-signal, TERM by default) for a restart, "u" keeps it wanted up so
 * a stopped service starts; "d" is `s6-svc -d`. */
const struct sup_backend sup_s6 = {
	.type = OWNER_S6,
	.parent = "s6-supervise",
	.restart_cmd = "ru",
	.stop_cmd = "d",
};
