#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cbor.h"
#include "ctl.h"
#include "fmt.h"
#include "ident.h"
#include "msg.h"
#include "sys.h"

#define FNV_PRIME 0x100000001b3ULL
#define LISTEN_BACKLOG 16
#define SOCK_UMASK (0777 & ~CTL_SOCK_MODE)
#define KEY_MAX 16
#define OP_TEXT_MAX 16
#define CHILD_PAIRS 5

static const char *const op_names[CTL_OP_COUNT] = { "status", "list", "restart", "stop" };

/* Nesting: reply map > children array > child map. */
static const struct cbor_limits request_limits = { 4, 64, CTL_REQUEST_MAX };
static const struct cbor_limits reply_limits = { 4, 2048, CTL_REPLY_MAX };

const char *ctl_op_name(enum ctl_op op)
{
	return (unsigned)op < CTL_OP_COUNT ? op_names[op] : "?";
}

int ctl_op_parse(const char *s)
{
	for (int i = 0; i < CTL_OP_COUNT; i++)
		if (!strcmp(s, op_names[i]))
			return i;
	return -1;
}

unsigned long long ctl_cfg_update(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

void ctl_cfg_text(unsigned long long h, char out[CTL_CFG_HEX + 1])
{
	fmt(out, CTL_CFG_HEX + 1, "%08x%08x", (unsigned)(h >> 32), (unsigned)(h & 0xffffffffu));
}

void ctl_cfg_hash(const void *p, size_t n, char out[CTL_CFG_HEX + 1])
{
	ctl_cfg_text(ctl_cfg_update(CTL_CFG_SEED, p, n), out);
}

int ctl_peer_may(enum ctl_op op, uid_t peer_uid, uid_t server_uid)
{
	if (op == CTL_STATUS || op == CTL_LIST)
		return 1;
	return peer_uid == 0 || peer_uid == server_uid;
}

uint32_t ctl_frame_len(const uint8_t hdr[CTL_HEADER])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
}

/* ---- encoding ---- */

/* Encode into buf after room for the header, then fill the header in. */
static int frame_close(struct cbor_enc *e, size_t map, uint8_t *buf, size_t max, size_t *len)
{
	if (e->overflow || cbor_map_sort(e, map) < 0 || e->overflow || e->len > max) {
		errno = E2BIG;
		return -1;
	}
	buf[0] = (uint8_t)(e->len >> 24);
	buf[1] = (uint8_t)(e->len >> 16);
	buf[2] = (uint8_t)(e->len >> 8);
	buf[3] = (uint8_t)e->len;
	*len = CTL_HEADER + e->len;
	return 0;
}

int ctl_encode_request(const struct ctl_request *rq, uint8_t *buf, size_t cap, size_t *len)
{
	struct cbor_enc e;

	if (cap < CTL_HEADER || (unsigned)rq->op >= CTL_OP_COUNT) {
		errno = E2BIG;
		return -1;
	}
	cbor_enc_init(&e, buf + CTL_HEADER, cap - CTL_HEADER);
	cbor_put_map(&e, 2 + (rq->name[0] != 0));
	cbor_put_key_uint(&e, "v", rq->v);
	cbor_put_key_str(&e, "op", op_names[rq->op]);
	if (rq->name[0])
		cbor_put_key_str(&e, "name", rq->name);
	return frame_close(&e, 0, buf, CTL_REQUEST_MAX, len);
}

static void put_child(struct cbor_enc *e, const struct ctl_child *c)
{
	size_t map = e->len;

	cbor_put_map(e, CHILD_PAIRS);
	cbor_put_key_uint(e, "pid", (uint64_t)(c->pid > 0 ? c->pid : 0));
	cbor_put_key_str(e, "name", c->name);
	cbor_put_key_uint(e, "start", c->start);
	cbor_put_key_str(e, "state", c->state);
	cbor_put_key_uint(e, "restarts", c->restarts);
	cbor_map_sort(e, map);
}

int ctl_encode_reply(const struct ctl_reply *rp, uint8_t *buf, size_t cap, size_t *len)
{
	struct cbor_enc e;

	if (cap < CTL_HEADER) {
		errno = E2BIG;
		return -1;
	}
	cbor_enc_init(&e, buf + CTL_HEADER, cap - CTL_HEADER);
	cbor_put_map(&e, 7 + !rp->ok + (rp->list != 0));
	cbor_put_key_uint(&e, "v", CTL_VERSION);
	cbor_put_str(&e, "ok");
	cbor_put_bool(&e, rp->ok);
	cbor_put_key_str(&e, "cfg", rp->cfg);
	if (!rp->ok)
		cbor_put_key_str(&e, "err", rp->err);
	cbor_put_key_uint(&e, "pid", (uint64_t)(rp->pid > 0 ? rp->pid : 0));
	cbor_put_key_str(&e, "name", rp->name);
	cbor_put_key_str(&e, "sock", rp->sock);
	cbor_put_key_uint(&e, "start", rp->start);
	if (rp->list) {
		cbor_put_str(&e, "children");
		cbor_put_array(&e, (uint64_t)rp->nchildren);
		for (int i = 0; i < rp->nchildren; i++)
			put_child(&e, &rp->children[i]);
	}
	return frame_close(&e, 0, buf, CTL_REPLY_MAX, len);
}

/* ---- decoding ---- */

static int read_uint(struct cbor_dec *d, uint64_t max, unsigned long long *v)
{
	struct cbor_item it;

	if (cbor_read(d, &it) < 0 || it.type != CBOR_UINT || it.u > max)
		return -1;
	*v = it.u;
	return 0;
}

static int read_text(struct cbor_dec *d, char *dst, size_t cap)
{
	struct cbor_item it;

	if (cbor_read(d, &it) < 0 || it.type != CBOR_TEXT)
		return -1;
	long n = cbor_read_string(d, &it, dst, cap);
	return n >= 0 && strlen(dst) == (size_t)n ? 0 : -1;
}

static int read_bool(struct cbor_dec *d, int *v)
{
	struct cbor_item it;

	if (cbor_read(d, &it) < 0 || it.type != CBOR_SIMPLE || (it.u != CBOR_TRUE && it.u != CBOR_FALSE))
		return -1;
	*v = it.u == CBOR_TRUE;
	return 0;
}

/* The next key as text; "" for a key that is not ours (other type, too
 * long), with its bytes consumed. */
static int read_key(struct cbor_dec *d, char *key, size_t cap)
{
	const uint8_t *at = d->p;
	struct cbor_item it;

	key[0] = 0;
	if (cbor_read(d, &it) < 0)
		return -1;
	if (it.type != CBOR_TEXT) {
		d->p = at;
		return cbor_skip(d);
	}
	if (cbor_read_string(d, &it, key, cap) < 0) {
		if (it.indef || errno != ENAMETOOLONG)
			return -1;
		key[0] = 0;
	}
	return 0;
}

/* Open the top-level map after checking the whole item. */
static int open_map(const uint8_t *p, size_t n, const struct cbor_limits *lim, struct cbor_dec *d,
		    struct cbor_item *map, const char **why)
{
	size_t used;

	if (cbor_check(p, n, lim, &used, why) < 0)
		return -1;
	if (used != n)
		return *why = "trailing bytes after the map", -1;
	cbor_dec_init(d, p, n);
	if (cbor_read(d, map) < 0 || map->type != CBOR_MAP)
		return *why = "not a map", -1;
	return 0;
}

static int more_pairs(struct cbor_dec *d, const struct cbor_item *map, uint64_t i)
{
	return map->indef ? !cbor_at_break(d) : i < map->u;
}

int ctl_decode_request(const uint8_t *p, size_t n, struct ctl_request *rq, const char **why)
{
	struct cbor_dec d;
	struct cbor_item map;
	char key[KEY_MAX], op[OP_TEXT_MAX] = "";
	unsigned long long v = 0;
	int have_v = 0;

	memset(rq, 0, sizeof *rq);
	if (open_map(p, n, &request_limits, &d, &map, why) < 0)
		return -1;
	for (uint64_t i = 0; more_pairs(&d, &map, i); i++) {
		int r;
		if (read_key(&d, key, sizeof key) < 0)
			return *why = "bad key", -1;
		if (!strcmp(key, "v"))
			r = read_uint(&d, UINT_MAX, &v), have_v = 1;
		else if (!strcmp(key, "op"))
			r = read_text(&d, op, sizeof op);
		else if (!strcmp(key, "name"))
			r = read_text(&d, rq->name, sizeof rq->name);
		else
			r = cbor_skip(&d);
		if (r < 0)
			return *why = "a value has the wrong type or size", -1;
	}
	if (!have_v || !op[0])
		return *why = "missing \"v\" or \"op\"", -1;
	rq->v = (unsigned)v;
	if (rq->v != CTL_VERSION)
		return *why = "unsupported protocol version", -1;
	int o = ctl_op_parse(op);
	if (o < 0)
		return *why = "unknown op", -1;
	rq->op = (enum ctl_op)o;
	if (rq->name[0] && !name_valid(rq->name))
		return *why = "bad child name", -1;
	return 0;
}

static int read_child(struct cbor_dec *d, struct ctl_child *c)
{
	struct cbor_item map;
	char key[KEY_MAX];
	unsigned long long u = 0;

	memset(c, 0, sizeof *c);
	if (cbor_read(d, &map) < 0 || map.type != CBOR_MAP)
		return -1;
	for (uint64_t i = 0; more_pairs(d, &map, i); i++) {
		int r;
		if (read_key(d, key, sizeof key) < 0)
			return -1;
		if (!strcmp(key, "pid"))
			r = read_uint(d, INT_MAX, &u), c->pid = (int)u;
		else if (!strcmp(key, "start"))
			r = read_uint(d, UINT64_MAX, &c->start);
		else if (!strcmp(key, "restarts"))
			r = read_uint(d, UINT64_MAX, &c->restarts);
		else if (!strcmp(key, "name"))
			r = read_text(d, c->name, sizeof c->name);
		else if (!strcmp(key, "state"))
			r = read_text(d, c->state, sizeof c->state);
		else
			r = cbor_skip(d);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int read_children(struct cbor_dec *d, struct ctl_reply *rp)
{
	struct cbor_item arr;
	struct ctl_child spare;

	if (cbor_read(d, &arr) < 0 || arr.type != CBOR_ARRAY)
		return -1;
	rp->list = 1;
	for (uint64_t i = 0; arr.indef ? !cbor_at_break(d) : i < arr.u; i++) {
		struct ctl_child *c = rp->nchildren < rp->cap ? &rp->children[rp->nchildren] : &spare;
		if (read_child(d, c) < 0)
			return -1;
		if (c != &spare)
			rp->nchildren++;
	}
	return 0;
}

static int reply_pair(struct cbor_dec *d, const char *key, struct ctl_reply *rp, unsigned *seen)
{
	unsigned long long u;

	if (!strcmp(key, "v"))
		return *seen |= 1, read_uint(d, UINT_MAX, &u) < 0 ? -1 : (rp->v = (unsigned)u, 0);
	if (!strcmp(key, "ok"))
		return *seen |= 2, read_bool(d, &rp->ok);
	if (!strcmp(key, "pid"))
		return read_uint(d, INT_MAX, &u) < 0 ? -1 : (rp->pid = (int)u, 0);
	if (!strcmp(key, "start"))
		return read_uint(d, UINT64_MAX, &rp->start);
	if (!strcmp(key, "cfg"))
		return read_text(d, rp->cfg, sizeof rp->cfg);
	if (!strcmp(key, "err"))
		return read_text(d, rp->err, sizeof rp->err);
	if (!strcmp(key, "name"))
		return read_text(d, rp->name, sizeof rp->name);
	if (!strcmp(key, "sock"))
		return read_text(d, rp->sock, sizeof rp->sock);
	if (!strcmp(key, "children"))
		return read_children(d, rp);
	return cbor_skip(d);
}

int ctl_decode_reply(const uint8_t *p, size_t n, struct ctl_reply *rp, const char **why)
{
	struct ctl_child *children = rp->children;
	int cap = rp->children ? rp->cap : 0;
	struct cbor_dec d;
	struct cbor_item map;
	char key[KEY_MAX];
	unsigned seen = 0;

	memset(rp, 0, sizeof *rp);
	rp->children = children;
	rp->cap = cap;
	if (open_map(p, n, &reply_limits, &d, &map, why) < 0)
		return -1;
	for (uint64_t i = 0; more_pairs(&d, &map, i); i++) {
		if (read_key(&d, key, sizeof key) < 0)
			return *why = "bad key", -1;
		if (reply_pair(&d, key, rp, &seen) < 0)
			return *why = "a value has the wrong type or size", -1;
	}
	if (seen != 3)
		return *why = "missing \"v\" or \"ok\"", -1;
	if (rp->v != CTL_VERSION)
		return *why = "unsupported protocol version", -1;
	return 0;
}

/* ---- client ---- */

static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { fd, events, 0 };
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int send_all(int fd, const uint8_t *p, size_t n, long long deadline)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, deadline) < 0)
				return -1;
			continue;
		}
		if (k < 0) {
			errno = EPIPE;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int recv_all(int fd, uint8_t *p, size_t n, long long deadline)
{
	while (n) {
		ssize_t k = recv(fd, p, n, MSG_DONTWAIT);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLIN, deadline) < 0)
				return -1;
			continue;
		}
		if (k <= 0) {
			errno = EPIPE;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int sun_fill(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (fmt(a->sun_path, sizeof a->sun_path, "%s", path) >= sizeof a->sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int ctl_connect(const char *path)
{
	struct sockaddr_un a;
	struct stat sb;
	int fd;

	if (sun_fill(&a, path) < 0 || lstat(path, &sb) < 0)
		return -1;
	if (!S_ISSOCK(sb.st_mode)) {
		errno = ENOTSOCK;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		sys_close_keep_errno(fd);
		return -1;
	}
	return fd;
}

int ctl_call(int fd, const struct ctl_request *rq, struct ctl_reply *rp, int timeout_ms)
{
	uint8_t req[CTL_HEADER + CTL_REQUEST_MAX], hdr[CTL_HEADER], rep[CTL_REPLY_MAX];
	long long deadline = now_ms() + timeout_ms;
	const char *why;
	size_t len;
	uint32_t n;

	if (ctl_encode_request(rq, req, sizeof req, &len) < 0 || send_all(fd, req, len, deadline) < 0 ||
	    recv_all(fd, hdr, sizeof hdr, deadline) < 0)
		return -1;
	n = ctl_frame_len(hdr);
	if (n == 0 || n > CTL_REPLY_MAX) {
		errno = EBADMSG;
		return -1;
	}
	if (recv_all(fd, rep, n, deadline) < 0)
		return -1;
	if (ctl_decode_reply(rep, n, rp, &why) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int ctl_request(const char *path, const struct ctl_request *rq, struct ctl_reply *rp, int timeout_ms)
{
	int fd = ctl_connect(path), r;

	if (fd < 0)
		return -1;
	r = ctl_call(fd, rq, rp, timeout_ms);
	sys_close_keep_errno(fd);
	return r;
}

int ctl_peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred)
		return 0;
	return (int)cred.pid;
}

static enum ctl_probe connect_failed(int e)
{
	switch (e) {
	case ENOENT:
		return CTL_PROBE_ABSENT;
	case ENOTSOCK:
		return CTL_PROBE_NOTSOCK;
	case ECONNREFUSED:
		return CTL_PROBE_STALE;
	case EAGAIN:
		return CTL_PROBE_HUNG;  /* backlog full: nobody accepts */
	}
	errno = e;
	return CTL_PROBE_ERROR;
}

enum ctl_probe ctl_probe(struct tether_ctx *ctx, const char *path, int timeout_ms, struct ctl_reply *rp,
			 int *listener)
{
	struct ctl_request rq = { .v = CTL_VERSION, .op = CTL_STATUS };
	struct ctl_reply spare;
	struct ident id = { 0 };
	int fd, r, e, peer;

	if (!rp)
		rp = &spare;
	rp->children = NULL;
	if (listener)
		*listener = 0;
	fd = ctl_connect(path);
	if (fd < 0)
		return connect_failed(errno);
	peer = ctl_peer_pid(fd);
	if (listener)
		*listener = peer;
	r = ctl_call(fd, &rq, rp, timeout_ms);
	e = errno;
	close(fd);
	if (r < 0) {
		msg_trace(ctx, "probe %s: listener pid %d: %s", path, peer, strerror(e));
		return e == ETIMEDOUT ? CTL_PROBE_HUNG : CTL_PROBE_FOREIGN;
	}
	if (strcmp(rp->sock, path)) {
		msg_trace(ctx, "probe %s: answered for another socket (%s)", path, rp->sock);
		return CTL_PROBE_FOREIGN;
	}
	id.pid = rp->pid;
	id.start = rp->start;
	enum ident_verdict v = ident_check(ctx, &id);
	if (v != IDENT_ALIVE && v != IDENT_UNVERIFIED) {
		msg_trace(ctx, "probe %s: its pid %d start %llu is %s", path, rp->pid, rp->start,
			  ident_verdict_name(v));
		return CTL_PROBE_FOREIGN;
	}
	return CTL_PROBE_LIVE;
}

const char *ctl_probe_name(enum ctl_probe p)
{
	static const char *const names[] = { "live", "absent", "stale", "hung", "foreign", "not a socket", "error" };

	return (unsigned)p < sizeof names / sizeof *names ? names[p] : "?";
}

/* ---- server ---- */

int ctl_listen(struct tether_ctx *ctx, struct ctl_server *s, const char *path, const struct ctl_reply *self,
	       ctl_handler *fn, void *arg)
{
	struct sockaddr_un a;
	struct stat sb;
	mode_t old;
	int r;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	for (int i = 0; i < CTL_CONNS_MAX; i++)
		s->conn[i].fd = -1;
	if (sun_fill(&a, path) < 0 || fmt(s->path, sizeof s->path, "%s", path) >= sizeof s->path) {
		msg_syserr(ctx, "socket path", path);
		return -1;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		msg_syserr(ctx, "socket", NULL);
		return -1;
	}
	old = umask(SOCK_UMASK);
	r = bind(s->fd, (struct sockaddr *)&a, sizeof a);
	umask(old);
	if (r < 0 || lstat(path, &sb) < 0 || listen(s->fd, LISTEN_BACKLOG) < 0) {
		msg_syserr(ctx, r < 0 ? "bind" : "listen", path);
		if (r == 0)
			unlink(path);
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	s->uid = geteuid();
	s->self = *self;
	s->self.ok = 1;
	s->self.list = 0;
	s->self.children = NULL;
	s->self.nchildren = 0;
	s->handler = fn;
	s->arg = arg;
	return 0;
}

static void conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->have = 0;
}

void ctl_close(struct ctl_server *s, int unlink_path)
{
	struct stat sb;

	for (int i = 0; i < CTL_CONNS_MAX; i++)
		conn_close(&s->conn[i]);
	if (s->fd < 0)
		return;
	if (unlink_path && lstat(s->path, &sb) == 0 && sb.st_dev == s->dev && sb.st_ino == s->ino)
		unlink(s->path);
	close(s->fd);
	s->fd = -1;
}

/* A reply that does not fit in the socket buffer at once goes with its
 * connection: the server never waits on a client. */
static int send_reply(int fd, const struct ctl_reply *rp)
{
	uint8_t buf[CTL_HEADER + CTL_REPLY_MAX];
	size_t len;

	if (ctl_encode_reply(rp, buf, sizeof buf, &len) < 0) {
		struct ctl_reply small = *rp;
		small.ok = 0;
		small.list = 0;
		fmt(small.err, sizeof small.err, "reply too large");
		if (ctl_encode_reply(&small, buf, sizeof buf, &len) < 0)
			return -1;
	}
	return send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len ? 0 : -1;
}

static void reply_error(const struct ctl_server *s, int fd, const char *why)
{
	struct ctl_reply rp = s->self;

	rp.ok = 0;
	fmt(rp.err, sizeof rp.err, "%s", why);
	send_reply(fd, &rp);
}

static void accept_all(struct ctl_server *s, long long now)
{
	for (;;) {
		struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
		socklen_t len = sizeof cred;
		struct ctl_conn *c = NULL;
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			return;
		for (int i = 0; i < CTL_CONNS_MAX && !c; i++)
			if (s->conn[i].fd < 0)
				c = &s->conn[i];
		if (!c) {
			reply_error(s, fd, "busy");
			close(fd);
			continue;
		}
		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->peer.uid = cred.uid;
		c->peer.pid = cred.pid;
		c->last_ms = now;
	}
}

static void handle(struct ctl_server *s, struct ctl_conn *c)
{
	struct ctl_request rq;
	struct ctl_reply rp = s->self;
	const char *why = "";

	rp.ok = 1;
	if (ctl_decode_request(c->buf + CTL_HEADER, c->have - CTL_HEADER, &rq, &why) < 0) {
		rp.ok = 0;
		fmt(rp.err, sizeof rp.err, "bad request: %s", why);
	} else if (!ctl_peer_may(rq.op, c->peer.uid, s->uid)) {
		rp.ok = 0;
		fmt(rp.err, sizeof rp.err, "permission denied: uid %d may not %s", (int)c->peer.uid,
		    ctl_op_name(rq.op));
	} else {
		s->handler(s->arg, &rq, &c->peer, &rp);
	}
	if (send_reply(c->fd, &rp) < 0)
		conn_close(c);
	else
		c->have = 0;
}

/* Read at most up to the end of the current frame, so the next request
 * stays queued in the kernel until this one is answered. */
static void conn_read(struct ctl_server *s, struct ctl_conn *c, long long now)
{
	while (c->fd >= 0) {
		size_t need = c->have < CTL_HEADER ? CTL_HEADER : CTL_HEADER + ctl_frame_len(c->buf);
		ssize_t k = recv(c->fd, c->buf + c->have, need - c->have, MSG_DONTWAIT);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			return;
		if (k <= 0) {
			conn_close(c);
			return;
		}
		if (!c->have)
			c->first_ms = now;
		c->have += (size_t)k;
		c->last_ms = now;
		if (c->have == CTL_HEADER) {
			uint32_t len = ctl_frame_len(c->buf);
			if (len == 0 || len > CTL_REQUEST_MAX) {
				reply_error(s, c->fd, len ? "request too large" : "empty request");
				conn_close(c);
				return;
			}
		} else if (c->have == need) {
			handle(s, c);
		}
	}
}

static long long conn_deadline(const struct ctl_conn *c)
{
	return c->have ? c->first_ms + CTL_IO_TIMEOUT_MS : c->last_ms + CTL_IDLE_MS;
}

void ctl_service(struct ctl_server *s, const struct pollfd *pfd, int n, long long now)
{
	for (int i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == s->fd) {
			accept_all(s, now);
			continue;
		}
		for (int j = 0; j < CTL_CONNS_MAX; j++)
			if (s->conn[j].fd == pfd[i].fd) {
				conn_read(s, &s->conn[j], now);
				break;
			}
	}
	for (int j = 0; j < CTL_CONNS_MAX; j++)
		if (s->conn[j].fd >= 0 && now >= conn_deadline(&s->conn[j]))
			conn_close(&s->conn[j]);
}

int ctl_pollfds(const struct ctl_server *s, struct pollfd *pfd)
{
	int n = 0;

	if (s->fd >= 0)
		pfd[n++] = (struct pollfd){ s->fd, POLLIN, 0 };
	for (int i = 0; i < CTL_CONNS_MAX; i++)
		if (s->conn[i].fd >= 0)
			pfd[n++] = (struct pollfd){ s->conn[i].fd, POLLIN, 0 };
	return n;
}

int ctl_next_deadline(const struct ctl_server *s, long long now)
{
	long long best = -1;

	for (int i = 0; i < CTL_CONNS_MAX; i++) {
		if (s->conn[i].fd < 0)
			continue;
		long long left = conn_deadline(&s->conn[i]) - now;
		if (left < 0)
			left = 0;
		if (best < 0 || left < best)
			best = left;
	}
	return best > INT_MAX ? INT_MAX : (int)best;
}
