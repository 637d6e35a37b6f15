#ifndef TETHER_ENV_H
#define TETHER_ENV_H

#include <limits.h>
#include <stddef.h>

/*
 * A child's environment: a copy of ours (environ) with a few variables
 * replaced or added, built without setenv (so without malloc) and without
 * changing our own. Every earlier KEY=... is dropped, so a child never
 * sees a key twice. Hand e.vars to run_wait or spawn_opts.env.
 */

#define ENV_SET_MAX 8                /* env_set calls per env */
#define ENV_TEXT_MAX (2 * PATH_MAX)  /* their KEY=VALUE bytes, in all */

struct env {
	char **vars;                 /* NULL-terminated; a mapping (mem.h) */
	size_t n, cap;
	size_t used;
	char text[ENV_TEXT_MAX];     /* the KEY=VALUE strings set here */
};

/* Start from base (may be NULL: empty); its strings are not copied and
 * must outlive e. 0, or -1 with errno (ENOMEM). */
int env_init(struct env *e, char *const *base);
/* Drop every KEY=... and append KEY=VALUE (VALUE may contain '='). 0, or
 * -1 with errno: EINVAL for an empty KEY or one with '=', E2BIG when
 * ENV_SET_MAX or ENV_TEXT_MAX is used up. */
int env_set(struct env *e, const char *key, const char *value);
/* After env_init, even a failed one. */
void env_free(struct env *e);

#endif
