#ifndef TETHER_STATE_H
#define TETHER_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "ident.h"
#include "owner.h"

/*
 * One record per daemon name: <state dir>/<name>.cbor, a CBOR map inside
 * the self-describe tag 55799 (schema in tether(8), STATE FILES).
 * Written temp + fsync + rename + fsync(dir); read with O_NOFOLLOW and
 * refused unless a regular file owned by root or us, not group/world
 * writable. Keys this version does not know are kept on rewrite.
 */

#define STATE_VERSION 1
#define NAME_MAX_LEN 64
#define RECORD_MAX 16384
#define ARGV_MAX 128
#define ARGV_BYTES 8192
#define SOCK_MAX 108
#define CFG_MAX 64
#define EXTRA_MAX 1024
#define STATE_SUFFIX ".cbor"

enum state_result {
	STATE_OK = 0,
	STATE_ABSENT,
	STATE_INSECURE,  /* symlink, foreign owner, writable by others */
	STATE_CORRUPT,   /* does not decode as a record */
	STATE_ERROR,     /* I/O error, errno set */
};

struct record {
	/* Scalars first: record_init zeroes them and empties the buffers
	 * below through their first bytes, not all 22 KB. */
	unsigned version;
	struct ident id;
	long long since;          /* unix time the process was recorded */
	unsigned long long restarts;
	int failed;               /* a supervisor gave up respawning it */
	int stopped;              /* stopped on purpose through its supervisor */
	int argc;
	unsigned extra_pairs;     /* unknown keys, kept as encoded */
	size_t extra_len;
	char name[NAME_MAX_LEN + 1];
	struct owner owner;       /* type OWNER_UNKNOWN when not recorded */
	char *argv[ARGV_MAX + 1];
	char argbuf[ARGV_BYTES];
	char cwd[PATH_MAX];
	char exe[PATH_MAX];
	char sock[SOCK_MAX];
	char log[PATH_MAX];       /* start --log: where a respawn logs again */
	char cfg[CFG_MAX + 1];
	uint8_t extra[EXTRA_MAX];
};

/* Names: 1-64 of [A-Za-z0-9._@-], not starting with '.' or '-'. */
int name_valid(const char *name);
void record_init(struct record *r, const char *name);
/* Copy argv into r (bounded). -1 E2BIG if it does not fit. */
int record_set_argv(struct record *r, int argc, char *const argv[]);
/* After r was moved (mremap, memcpy): point argv at r's own argbuf again.
 * argv[i] always points into argbuf, the strings packed in order. */
void record_rebase(struct record *r);

/* 0 and *len, or -1 (E2BIG) if the record does not fit in cap. */
int state_encode(const struct record *r, uint8_t *buf, size_t cap, size_t *len);
/* 0, or -1 with *why a one-line reason. */
int state_decode(const uint8_t *buf, size_t len, struct record *r, const char **why);

/* Open (and with create, make: 0700) the state dir; checks it is a real
 * directory owned by root or us and not writable by others. -1 on error,
 * after printing why. */
int state_dir_open(struct tether_ctx *ctx, int create);
/* Load NAME. On STATE_INSECURE/CORRUPT/ERROR prints a one-line reason
 * naming the record. */
enum state_result state_load(struct tether_ctx *ctx, int dirfd, const char *name, struct record *r);
int state_save(struct tether_ctx *ctx, int dirfd, const struct record *r);
int state_remove(struct tether_ctx *ctx, int dirfd, const char *name);
/* The hardened read and the atomic write behind records, for any small
 * file in the state dir (markers too). buf holds RECORD_MAX bytes. */
enum state_result state_read_file(struct tether_ctx *ctx, int dirfd, const char *file, uint8_t *buf, size_t *len);
int state_write_file(struct tether_ctx *ctx, int dirfd, const char *file, const uint8_t *buf, size_t len);
/* Move a corrupt record aside to NAME.cbor.corrupt, saying so. */
int state_quarantine(struct tether_ctx *ctx, int dirfd, const char *name);
/* Call fn for every record name in the dir, sorted; stops at the first
 * non-zero return and passes it on. */
int state_each(struct tether_ctx *ctx, int dirfd, int (*fn)(const char *name, void *arg), void *arg);
/* Exit code for a load result (STATE_ABSENT -> not_found). */
int state_exit_code(enum state_result res, int not_found);

#endif
