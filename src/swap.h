#ifndef TETHER_SWAP_H
#define TETHER_SWAP_H

#include <limits.h>

#include "ctx.h"

/*
 * Atomic binary swap. install: copy NEW to a temp file beside TARGET,
 * fsync, keep TARGET as TARGET.tether-old (hard link, or copy), fsync the
 * dir, rename the temp over TARGET, fsync the dir. TARGET is a complete
 * old or new binary at every instant; a crash leaves at most a temp file
 * named .BASENAME.tether-new.PID. rollback: the same rename with the kept
 * old binary, which stays on disk.
 */

#define SWAP_OLD_SUFFIX ".tether-old"

struct swap {
	char target[PATH_MAX];
	char old[PATH_MAX];
	unsigned long long old_dev, old_ino;
	unsigned long long new_dev, new_ino;
};

int swap_install(struct tether_ctx *ctx, const char *newbin, const char *target, struct swap *s);
int swap_rollback(struct tether_ctx *ctx, struct swap *s);

#endif
