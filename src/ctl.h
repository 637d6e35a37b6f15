#ifndef TETHER_CTL_H
#define TETHER_CTL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctx.h"
#include "state.h"

/*
 * The control socket of a `tether supervise`: a Unix stream socket (path
 * in the supervisor's record, key "sock"; default STATE_DIR/NAME.sock),
 * mode 0660. This comment is the protocol's specification, version 1.
 *
 * Framing. Every request and every reply is one frame:
 *   length   4 bytes, unsigned big-endian: the payload's size, at least 1
 *            and at most CTL_REQUEST_MAX (512) for a request,
 *            CTL_REPLY_MAX (8192) for a reply
 *   payload  one CBOR data item (RFC 8949): a map with text keys. Senders
 *            encode deterministically (section 4.2.1: shortest heads,
 *            definite lengths, keys sorted by their encoded bytes, so
 *            shorter keys first), with no tags. Receivers accept any key
 *            order and either length form, and skip keys they do not know.
 * A connection carries any number of request/reply pairs, strictly in
 * turn: the server answers each request before it reads the next.
 *
 * Request keys:
 *   "v"     uint  protocol version: 1
 *   "op"    text  "status": who owns this socket
 *                 "list":   that, and every child
 *                 "restart": replace child "name" in place (TERM, grace,
 *                           KILL, spawn); siblings and the socket untouched
 *                 "stop":   stop child "name" and leave it down; without
 *                           "name", shut the whole supervisor down
 *   "name"  text  restart, stop: a child's name (state.h name rules)
 *
 * Reply keys (every reply, ok or not, names who answered):
 *   "v"     uint  1
 *   "ok"    bool  true: done, or for restart/stop, accepted
 *   "cfg"   text  the supervisor's config hash: 16 lowercase hex digits,
 *                 ctl_cfg_hash() over its canonical config (supervise.h)
 *   "err"   text  only when ok is false: a one-line reason
 *   "pid"   uint  the supervisor's pid
 *   "name"  text  the supervisor's record name
 *   "sock"  text  the socket path it bound (a prober compares it)
 *   "start" uint  the supervisor's start time, /proc/PID/stat field 22
 *   "children" array, op "list" only, of maps, in config order:
 *       "pid" uint (0: no process now), "name" text, "start" uint,
 *       "state" text: "running" | "stopping" | "backoff" | "failed" |
 *       "down", "restarts" uint
 *
 * Byte for byte, the status request {"v": 1, "op": "status"}:
 *   00 00 00 0e  a2 61 76 01 62 6f 70 66 73 74 61 74 75 73
 * and a reply {"v": 1, "ok": true, "cfg": "0123456789abcdef", "pid": 42,
 * "name": "grp", "sock": "/s", "start": 1000}:
 *   00 00 00 3d  a7 61 76 01 62 6f 6b f5
 *                63 63 66 67 70 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66
 *                63 70 69 64 18 2a  64 6e 61 6d 65 63 67 72 70
 *                64 73 6f 63 6b 62 2f 73  65 73 74 61 72 74 19 03 e8
 * (tests/unit/test_ctl.c checks both.)
 *
 * Errors and limits. A request that is not a map, lacks "v" or "op",
 * names an unknown op or a bad child name gets ok false and the
 * connection stays usable; "v" other than 1 gets ok false, "unsupported
 * protocol version". A length of 0 or above CTL_REQUEST_MAX gets ok false
 * ("request too large") and the connection is closed: the stream cannot
 * be resynchronised. A frame must arrive whole within CTL_IO_TIMEOUT_MS
 * of its first byte; an idle connection is closed after CTL_IDLE_MS; at
 * most CTL_CONNS_MAX connections are open at once, one more gets ok false
 * ("busy") and is closed. A reply the client does not read in time is
 * dropped with its connection. Clients bound every call the same way.
 *
 * A supervisor shutting down still answers, but status gets ok false with
 * err "shutting down" (a binder then waits for it to finish), and
 * restarts are refused the same way.
 *
 * Credentials. The server reads the peer's uid with SO_PEERCRED when it
 * accepts: any peer that can connect may ask status and list; only root
 * and the server's own uid may restart or stop ("permission denied").
 */

#define CTL_VERSION 1
#define CTL_REQUEST_MAX 512
#define CTL_REPLY_MAX 8192
#define CTL_HEADER 4
#define CTL_IO_TIMEOUT_MS 2000
#define CTL_IDLE_MS (10 * 60 * 1000)
#define CTL_CONNS_MAX 16
#define CTL_CALL_TIMEOUT_MS 5000
/* Default deadline for a probe's answer. An owner that misses it is taken
 * for hung and reclaimed (stopped), so it must outlast a busy moment of a
 * healthy one: a router's boot, with every init script starting at once. */
#define CTL_PROBE_MS 2000
#define CTL_ERR_MAX 128
#define CTL_CFG_HEX 16
#define CTL_STATE_MAX 16
#define CTL_SOCK_MODE 0660
#define CTL_ERR_SHUTDOWN "shutting down"

enum ctl_op { CTL_STATUS, CTL_LIST, CTL_RESTART, CTL_STOP, CTL_OP_COUNT };

struct ctl_request {
	unsigned v;
	enum ctl_op op;
	char name[NAME_MAX_LEN + 1];  /* "" when absent */
};

struct ctl_child {
	char name[NAME_MAX_LEN + 1];
	int pid;
	unsigned long long start;
	char state[CTL_STATE_MAX];
	unsigned long long restarts;
};

struct ctl_reply {
	unsigned v;
	int ok;
	char err[CTL_ERR_MAX];
	int pid;
	unsigned long long start;
	char name[NAME_MAX_LEN + 1];
	char sock[SOCK_MAX];
	char cfg[CFG_MAX + 1];
	int list;                    /* "children" present */
	int nchildren;               /* encode: entries in children; decode: found */
	int cap;                     /* decode: room in children (extra ones dropped) */
	struct ctl_child *children;
};

const char *ctl_op_name(enum ctl_op op);
int ctl_op_parse(const char *s);  /* -1 if unknown */

/* FNV-1a 64 over p, as 16 lowercase hex digits: the one config hash,
 * for the record a supervisor writes and every reply and reader. The
 * same in pieces: h = CTL_CFG_SEED, h = ctl_cfg_update(h, ...)..., then
 * ctl_cfg_text(h, out). */
#define CTL_CFG_SEED 0xcbf29ce484222325ULL
void ctl_cfg_hash(const void *p, size_t n, char out[CTL_CFG_HEX + 1]);
unsigned long long ctl_cfg_update(unsigned long long h, const void *p, size_t n);
void ctl_cfg_text(unsigned long long h, char out[CTL_CFG_HEX + 1]);

/* Whole frames (header included) into buf. 0 and *len, or -1 E2BIG. */
int ctl_encode_request(const struct ctl_request *rq, uint8_t *buf, size_t cap, size_t *len);
int ctl_encode_reply(const struct ctl_reply *rp, uint8_t *buf, size_t cap, size_t *len);
/* Payloads (no header). 0, or -1 with *why a one-line reason. */
int ctl_decode_request(const uint8_t *p, size_t n, struct ctl_request *rq, const char **why);
int ctl_decode_reply(const uint8_t *p, size_t n, struct ctl_reply *rp, const char **why);
/* The payload length a header announces. */
uint32_t ctl_frame_len(const uint8_t hdr[CTL_HEADER]);
/* May a peer with uid peer_uid ask op of a server running as server_uid? */
int ctl_peer_may(enum ctl_op op, uid_t peer_uid, uid_t server_uid);

/* ---- client ---- */

/* Connect to path (not following a final symlink: lstat first). Returns a
 * CLOEXEC fd, or -1 with errno: ENOENT, ECONNREFUSED (a socket nobody
 * listens on), ENOTSOCK (not a socket, or a symlink), EAGAIN (backlog
 * full), or another connect(2) error. */
int ctl_connect(const char *path);
/* One round trip on a connected fd, bounded by timeout_ms. 0, or -1 with
 * errno: ETIMEDOUT, EPIPE (closed by the server), EBADMSG (bad reply). */
int ctl_call(int fd, const struct ctl_request *rq, struct ctl_reply *rp, int timeout_ms);
/* Connect, call, close. */
int ctl_request(const char *path, const struct ctl_request *rq, struct ctl_reply *rp, int timeout_ms);
/* The pid that listens on a connected socket (SO_PEERCRED), or 0. */
int ctl_peer_pid(int fd);

/*
 * Probe: is path owned by a live tether control server? A bare connect()
 * proves nothing (a SIGSTOPped server's backlog still accepts), so LIVE
 * means: it answered a status request within timeout_ms, the reply names
 * this very path, and its pid runs with the start time it reported.
 */
enum ctl_probe {
	CTL_PROBE_LIVE,
	CTL_PROBE_ABSENT,   /* nothing at path */
	CTL_PROBE_STALE,    /* a socket nobody listens on */
	CTL_PROBE_HUNG,     /* connection accepted, no answer in time */
	CTL_PROBE_FOREIGN,  /* answered, but not as this socket's live owner */
	CTL_PROBE_NOTSOCK,  /* a regular file, symlink, directory... */
	CTL_PROBE_ERROR,    /* cannot tell: errno set */
};

/* rp (may be NULL) gets the reply when there was one; *listener (may be
 * NULL) the listening pid by SO_PEERCRED, 0 if unknown. */
enum ctl_probe ctl_probe(struct tether_ctx *ctx, const char *path, int timeout_ms, struct ctl_reply *rp,
			 int *listener);
const char *ctl_probe_name(enum ctl_probe p);

/* ---- server ---- */

struct ctl_peer {
	uid_t uid;
	pid_t pid;
};

struct ctl_conn {
	int fd;                      /* -1: free slot */
	struct ctl_peer peer;
	size_t have;                 /* bytes of the current frame read */
	long long first_ms;          /* when its first byte came */
	long long last_ms;           /* last activity */
	uint8_t buf[CTL_HEADER + CTL_REQUEST_MAX];
};

/* Fills rp's ok, err and (list) children; identity is filled already. */
typedef void ctl_handler(void *arg, const struct ctl_request *rq, const struct ctl_peer *peer,
			 struct ctl_reply *rp);

struct ctl_server {
	int fd;                      /* listening; -1 when closed */
	char path[SOCK_MAX];
	dev_t dev;                   /* of the socket file we bound, to  */
	ino_t ino;                   /* unlink only our own at the end   */
	uid_t uid;
	struct ctl_reply self;       /* identity every reply carries */
	ctl_handler *handler;
	void *arg;
	struct ctl_conn conn[CTL_CONNS_MAX];
};

/* Bind and listen on path, which the caller has cleared (bindguard.h).
 * self: pid, start, name, sock, cfg for every reply. 0, or -1 printed. */
int ctl_listen(struct tether_ctx *ctx, struct ctl_server *s, const char *path, const struct ctl_reply *self,
	       ctl_handler *fn, void *arg);
/* Close everything; unlink the path only if it still is the socket we
 * bound (a successor may have bound a new one there). */
void ctl_close(struct ctl_server *s, int unlink_path);
/* Fill pollfds for the listening socket and each connection; returns how
 * many (at most 1 + CTL_CONNS_MAX). */
int ctl_pollfds(const struct ctl_server *s, struct pollfd *pfd);
/* Handle what poll() reported on those n pollfds, then close connections
 * past their deadlines. */
void ctl_service(struct ctl_server *s, const struct pollfd *pfd, int n, long long now);
/* Milliseconds until the next connection deadline, or -1 if none. */
int ctl_next_deadline(const struct ctl_server *s, long long now);

#endif
