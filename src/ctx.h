#ifndef TETHER_CTX_H
#define TETHER_CTX_H

#include "config.h"

#define BOOT_ID_LEN 36

/* What every command and module needs from the command line and the
 * environment; main owns the only instance. */
struct out;

struct tether_ctx {
	const char *cmd;         /* current command, for messages */
	const char *state_dir;   /* --state-dir, TETHER_STATE_DIR, Kconfig */
	const char *proc_root;   /* --proc-root, TETHER_PROC, "/proc" */
	int verbose;
	int json;
	char boot_id[BOOT_ID_LEN + 1]; /* "" until read, or if unreadable */
	int boot_read;
	unsigned long long pidns_dev, pidns_ino; /* ours; pidns_ino 0: unknown */
	int pidns_read;
	int proc_seen;           /* a usable proc tree was found (cached) */
	struct out *pending;     /* lines gathered for stdout: written before a message */
};

void ctx_init(struct tether_ctx *ctx);

#endif
