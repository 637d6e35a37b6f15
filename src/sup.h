#ifndef TETHER_SUP_H
#define TETHER_SUP_H

#include <limits.h>
#include <stddef.h>

#include "ctx.h"
#include "fmt.h"
#include "owner.h"
#include "procfs.h"
#include "sys.h"

/*
 * The supervisor that owns a process, and restarting or stopping a daemon
 * through it. One backend per supervisor (sup_*.c), each behind its
 * CONFIG_SUP_* symbol; a build without a backend never detects its owner.
 *
 * Detection, for a process P with parent Q (all /proc reads under
 * ctx->proc_root; no /proc at all means OWNER_NONE):
 *   runit        Q is runsv; dir = Q's cwd
 *   s6           Q is s6-supervise; dir = Q's cwd
 *   daemontools  Q is supervise; dir = Q's cwd
 *   openrc       Q is supervise-daemon; service = Q's argv[1]
 *   systemd      P's cgroup names a *.service and P's environment holds
 *                INVOCATION_ID (unreadable environment: accepted, traced
 *                as partial proof)
 *   procd        P's cgroup is /services/SERVICE/INSTANCE, or Q is pid 1
 *                and named procd (service then unknown)
 * "Q is NAME": Q's comm (the kernel cuts it to 15 bytes), argv[0]'s
 * basename, argv[1] when argv[0] is busybox, or its exe's basename.
 * A direct supervisor parent comes first: a runsv started by a systemd
 * unit (runit.service) passes the unit's cgroup and INVOCATION_ID to its
 * daemons, and restarting that unit would restart every runit service.
 */

/* pid 0: this process. 0 with o->type set (OWNER_NONE when nobody owns
 * it); -1 with errno ESRCH (no such process, or a zombie), EBADMSG
 * (its stat does not parse) or another reader error. */
int sup_detect(struct tether_ctx *ctx, int pid, struct owner *o);

/* The same decision from a saved cgroup file (`detect --cgroup`).
 * invocation_id: the process's $INVOCATION_ID, "" when it has none, NULL
 * when unknown (a *.service is then accepted as partial proof). */
int sup_detect_cgroup(struct tether_ctx *ctx, const char *cgroup_text, size_t len,
		      const char *invocation_id, struct owner *o);

/*
 * Ask the owner to restart (or stop) its daemon; never signals or spawns
 * the daemon itself. A restart of a stopped service starts it, as
 * `systemctl restart` and `init.d/X restart` do. Returns EX_DONE (request
 * accepted), EX_NOTOOL (the supervisor's tool or control pipe is missing
 * or unread), EX_TIMEOUT (the tool did not finish in time and was killed)
 * or EX_FAIL (refused), after printing the reason with msg_error.
 *   systemd      systemctl [--user -M UID@] restart|stop -- UNIT
 *   procd        $TETHER_INITD_DIR/SERVICE restart|stop (/etc/init.d)
 *   runit        "tcu" | "d"  to DIR/supervise/control
 *   s6           "ru"  | "d"  (r: signal it, u: and want it up)
 *   daemontools  "tu"  | "d"  (svc -t -u | svc -d)
 *   openrc       rc-service SERVICE restart|stop
 */
int sup_restart(struct tether_ctx *ctx, const struct owner *o);
int sup_stop(struct tether_ctx *ctx, const struct owner *o);

/* One line, "owner=systemd unit=foo.service scope=system", or with json
 * one object {"owner":"systemd","unit":"foo.service","scope":"system"}.
 * Blanks and control bytes in plain values print as \xNN. 0 or -1. */
int sup_print(const struct owner *o, int json, int fd);
/* The same, appended to a line being built (fmt.h). */
void sup_put(struct out *out, const struct owner *o, int json);

#define SUP_TOOL_TIMEOUT_MS (CONFIG_RESTART_TIMEOUT * MS_PER_S)

/* Run a supervisor's tool (systemctl, an init script, rc-service) with
 * run_wait, bounded by SUP_TOOL_TIMEOUT_MS: EX_DONE on exit 0, else
 * EX_NOTOOL (not found: "systemctl not found in PATH"), EX_TIMEOUT or
 * EX_FAIL, the reason printed with msg_error. */
int sup_tool(struct tether_ctx *ctx, char *const argv[]);

/* ---- backend interface: sup.c and sup_*.c only ---- */

#define SUP_NAME_MAX 256

enum sup_action { SUP_RESTART, SUP_STOP };

/* What detection knows about the process and its parent. */
struct sup_probe {
	int pid;                    /* 0: no live process (a saved cgroup) */
	int self;
	const char *cgroup;         /* picked cgroup path, NULL if none */
	const char *invocation_id;  /* pid 0 only; see sup_detect_cgroup */
	int ppid;                   /* 0: parent unknown */
	char pcomm[PROC_COMM_MAX];
	char pargv0[SUP_NAME_MAX];  /* basename */
	char pargv1[SUP_NAME_MAX];  /* as is */
	char pexe[SUP_NAME_MAX];    /* basename */
};

/*
 * A backend. Supervisors that are the daemon's parent and listen on
 * DIR/supervise/control (runit, s6, daemontools) are data only: `parent`
 * names the program, its cwd is DIR, and restart/stop write those bytes.
 * Others supply detect (1 and o filled if it owns the process) and act.
 */
struct sup_backend {
	enum owner_type type;
	const char *parent;
	const char *restart_cmd;
	const char *stop_cmd;
	int (*detect)(struct tether_ctx *ctx, const struct sup_probe *p, struct owner *o);
	int (*act)(struct tether_ctx *ctx, const struct owner *o, enum sup_action a);
};

extern const struct sup_backend sup_systemd, sup_procd, sup_runit, sup_s6,
	sup_daemontools, sup_openrc;

/* Is the parent the program `name` (see "Q is NAME" above)? */
int sup_parent_is(const struct sup_probe *p, const char *name);
/* An init script / OpenRC service name: not empty, no '/', no leading
 * '-' or '.', shorter than OWNER_SERVICE_MAX. */
int sup_service_name_ok(const char *s);
const char *sup_verb(enum sup_action a);  /* "restart", "stop" */
#endif
