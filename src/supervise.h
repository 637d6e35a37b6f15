#ifndef TETHER_SUPERVISE_H
#define TETHER_SUPERVISE_H

#include <stddef.h>

#include "ctl.h"
#include "ctx.h"
#include "state.h"

/*
 * `tether supervise`: a small per-child supervisor (supervise.c), its
 * configuration and respawn policy (supervise_cfg.c).
 *
 * Config file: one child per line, "NAME CMD [ARG]...". Words are
 * separated by blanks; '...' quotes literally, "..." quotes with \ escaping
 * the next character, \ outside quotes escapes the next character; a line
 * whose first word starts with '#' and an empty line are ignored. NAME
 * follows the record name rules (state.h); names are unique. On the
 * command line the same children are "-- NAME CMD [ARG]..." groups, each
 * "--" starting the next child (so an argument cannot be a bare "--").
 *
 * The config hash is ctl_cfg_hash() over the canonical form: a CBOR array
 * of one array per child, [NAME, CMD, ARG...], all text, in config order.
 * A file and the command line giving the same children hash alike;
 * comments, blanks and quoting do not count.
 */

#define SV_CHILDREN_MAX 32
#define SV_CONFIG_MAX 65536
#define SV_WORDS_MAX 2048        /* argv entries over all children */
#define SV_GIVEUP_MAX 64
#define SV_NAME_DEFAULT "supervise"
#define SV_SOCK_SUFFIX ".sock"
#define SV_REQUEST_SUFFIX ".restart"  /* STATE_DIR/NAME.restart, read on SIGUSR1 */
#define SV_ENV_SOCK "TETHER_SUPERVISE_SOCK"   /* set for every child */
#define SV_ENV_CHILD "TETHER_SUPERVISE_CHILD"
#define SV_ERR_MAX 160

struct sv_child_cfg {
	char name[NAME_MAX_LEN + 1];
	int argc;
	char **argv;                 /* NULL-terminated, into sv_config */
};

struct sv_config {
	int count;
	struct sv_child_cfg child[SV_CHILDREN_MAX];
	char *ptrs[SV_WORDS_MAX];
	int nptrs;
	char words[SV_CONFIG_MAX];   /* a file's words, NUL-terminated */
	size_t used;
};

/* 0, or -1 with err filled ("line 3: unterminated quote"). A config file
 * longer than SV_CONFIG_MAX - 1 is refused. */
int sv_config_parse(struct sv_config *c, const char *text, size_t len, char *err, size_t cap);
/* argv: "NAME CMD [ARG]... [-- NAME CMD [ARG]...]..." (pointers kept). */
int sv_config_args(struct sv_config *c, int argc, char **argv, char *err, size_t cap);
void sv_config_hash(const struct sv_config *c, char out[CTL_CFG_HEX + 1]);

/*
 * Respawn policy, after procd (respawn threshold, timeout, retry) and
 * OpenRC (respawn-delay, -max, -period): a child that dies is respawned
 * after delay_min_ms, doubling with each further death up to delay_max_ms;
 * give_up deaths within window_ms stop the respawning (the child is
 * marked failed in its record). A child that ran window_ms or longer
 * starts over: delay and death count reset.
 */
struct sv_policy {
	int delay_min_ms;
	int delay_max_ms;
	int give_up;
	int window_ms;
};

#define SV_DELAY_MIN_MS 500
#define SV_DELAY_MAX_MS 30000
#define SV_GIVE_UP 5
#define SV_WINDOW_MS 60000

struct sv_deaths {
	long long at[SV_GIVEUP_MAX];
	int n;
	int delay_ms;
};

/* A death at now_ms, the process having run ran_ms: the respawn delay in
 * ms, or -1 to give up. */
int sv_backoff(const struct sv_policy *p, struct sv_deaths *d, long long now_ms, long long ran_ms);

struct sv_opts {
	const char *name;            /* the supervisor's record name */
	const char *sock;            /* absolute control socket path */
	const char *log;             /* children's stdout/stderr; NULL: /dev/null */
	int grace_ms;                /* TERM to KILL */
	int probe_ms;                /* bind guard: an owner's deadline */
	struct sv_policy policy;
	int argc;                    /* our own command line, for the record */
	char **argv;
};

/* Guard the socket, start every child, serve until TERM/INT or a stop
 * request, shut down in order. Returns an exit code. */
int supervise_run(struct tether_ctx *ctx, const struct sv_opts *o, const struct sv_config *c);

#endif
