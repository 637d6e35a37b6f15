/* The control protocol: frames byte for byte as ctl.h documents them,
 * strict decoding, the config hash, credentials, and a real server that
 * survives garbage, oversized and slow requests. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cbor.h"
#include "ident.h"
#include "sys.h"
#include "tap.h"

#if CONFIG_CTL
#include "ctl.h"

static const uint8_t status_frame[] = {
	0x00, 0x00, 0x00, 0x0e, 0xa2, 0x61, 0x76, 0x01, 0x62, 0x6f, 0x70,
	0x66, 0x73, 0x74, 0x61, 0x74, 0x75, 0x73,
};

static const uint8_t reply_frame[] = {
	0x00, 0x00, 0x00, 0x3d, 0xa7, 0x61, 0x76, 0x01, 0x62, 0x6f, 0x6b, 0xf5,
	0x63, 0x63, 0x66, 0x67, 0x70, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f',
	0x63, 0x70, 0x69, 0x64, 0x18, 0x2a, 0x64, 0x6e, 0x61, 0x6d, 0x65, 0x63, 0x67, 0x72, 0x70,
	0x64, 0x73, 0x6f, 0x63, 0x6b, 0x62, 0x2f, 0x73, 0x65, 0x73, 0x74, 0x61, 0x72, 0x74, 0x19, 0x03, 0xe8,
};

static void hexdiag(const char *what, const uint8_t *p, size_t n)
{
	char line[3 * 128 + 1];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 4 < sizeof line; i++)
		k += (size_t)snprintf(line + k, sizeof line - k, "%02x ", p[i]);
	tap_diag("%s: %s", what, line);
}

static void test_request_bytes(void)
{
	struct ctl_request rq = { .v = CTL_VERSION, .op = CTL_STATUS };
	uint8_t buf[CTL_HEADER + CTL_REQUEST_MAX];
	static const uint8_t restart_web[] = {
		0x00, 0x00, 0x00, 0x18, 0xa3, 0x61, 0x76, 0x01, 0x62, 0x6f, 0x70, 0x67, 'r', 'e', 's', 't', 'a', 'r', 't',
		0x64, 0x6e, 0x61, 0x6d, 0x65, 0x63, 'w', 'e', 'b',
	};
	size_t len = 0;

	ok(ctl_encode_request(&rq, buf, sizeof buf, &len) == 0 && len == sizeof status_frame &&
	   !memcmp(buf, status_frame, len), "status request is 00 00 00 0e a2 61 76 01 62 6f 70 66 status");
	if (len != sizeof status_frame || memcmp(buf, status_frame, len))
		hexdiag("got", buf, len);
	rq.op = CTL_RESTART;
	strcpy(rq.name, "web");
	ok(ctl_encode_request(&rq, buf, sizeof buf, &len) == 0 && len == sizeof restart_web &&
	   !memcmp(buf, restart_web, len), "restart request: keys sorted v, op, name");
	if (len != sizeof restart_web || memcmp(buf, restart_web, len))
		hexdiag("got", buf, len);
	is_int(ctl_frame_len(buf), 0x18, "the header is the payload length, big-endian");
}

static void sample_reply(struct ctl_reply *rp)
{
	memset(rp, 0, sizeof *rp);
	rp->v = CTL_VERSION;
	rp->ok = 1;
	rp->pid = 42;
	rp->start = 1000;
	strcpy(rp->name, "grp");
	strcpy(rp->sock, "/s");
	strcpy(rp->cfg, "0123456789abcdef");
}

static void test_reply_bytes(void)
{
	uint8_t buf[CTL_HEADER + CTL_REPLY_MAX];
	struct ctl_reply rp, back;
	const char *why = "";
	size_t len = 0;

	sample_reply(&rp);
	ok(ctl_encode_reply(&rp, buf, sizeof buf, &len) == 0 && len == sizeof reply_frame &&
	   !memcmp(buf, reply_frame, len), "status reply matches ctl.h byte for byte");
	if (len != sizeof reply_frame || memcmp(buf, reply_frame, len))
		hexdiag("got", buf, len);
	memset(&back, 0, sizeof back);
	ok(ctl_decode_reply(buf + CTL_HEADER, len - CTL_HEADER, &back, &why) == 0 && back.ok && back.pid == 42 &&
	   back.start == 1000 && !strcmp(back.sock, "/s") && !strcmp(back.name, "grp") &&
	   !strcmp(back.cfg, "0123456789abcdef") && !back.list, "and decodes to the same fields");

	rp.ok = 0;
	strcpy(rp.err, "no child x");
	ctl_encode_reply(&rp, buf, sizeof buf, &len);
	ok(ctl_decode_reply(buf + CTL_HEADER, len - CTL_HEADER, &back, &why) == 0 && !back.ok &&
	   !strcmp(back.err, "no child x") && back.pid == 42, "an error reply carries err and still names its owner");
	ok(memmem(buf, len, "\x63" "err", 4) != NULL, "err is present only in error replies");
}

static void test_list(void)
{
	uint8_t buf[CTL_HEADER + CTL_REPLY_MAX];
	struct ctl_child kids[3] = {
		{ "a", 10, 100, "running", 0 }, { "b", 0, 0, "backoff", 4 }, { "c", 12, 120, "failed", 9 },
	}, got[2];
	struct ctl_reply rp, back = { .children = got, .cap = 2 };
	const char *why = "";
	size_t len = 0;

	sample_reply(&rp);
	rp.list = 1;
	rp.children = kids;
	rp.nchildren = 3;
	ok(ctl_encode_reply(&rp, buf, sizeof buf, &len) == 0, "a list reply encodes");
	ok(ctl_decode_reply(buf + CTL_HEADER, len - CTL_HEADER, &back, &why) == 0 && back.list, "and decodes");
	is_int(back.nchildren, 2, "children beyond the caller's room are dropped, not overrun");
	ok(!strcmp(got[1].name, "b") && !strcmp(got[1].state, "backoff") && got[1].restarts == 4 && got[1].pid == 0,
	   "each child keeps name, state, pid and restarts");

	static struct ctl_child many[96];
	for (int i = 0; i < 96; i++) {
		memset(many[i].name, 'x', NAME_MAX_LEN);
		strcpy(many[i].state, "running");
	}
	rp.children = many;
	rp.nchildren = 96;
	ok(ctl_encode_reply(&rp, buf, sizeof buf, &len) < 0 && errno == E2BIG,
	   "a reply above CTL_REPLY_MAX is refused (E2BIG), not truncated");
}

/* Hand-built payloads as another implementation might send them. */
static size_t payload(uint8_t *buf, size_t cap, int pairs, const char *const kv[][2], int v)
{
	struct cbor_enc e;

	cbor_enc_init(&e, buf, cap);
	cbor_put_map(&e, (uint64_t)pairs + (v >= 0));
	for (int i = 0; i < pairs; i++) {
		cbor_put_str(&e, kv[i][0]);
		cbor_put_str(&e, kv[i][1]);
	}
	if (v >= 0) {
		cbor_put_str(&e, "v");
		cbor_put_uint(&e, (uint64_t)v);
	}
	return e.len;
}

static void test_request_decode(void)
{
	static const char *const restart[][2] = { { "name", "web" }, { "op", "restart" }, { "zz", "later" } };
	static const char *const bogus_op[][2] = { { "op", "reboot" } };
	static const char *const bad_name[][2] = { { "op", "restart" }, { "name", "../x" } };
	static const char *const no_op[][2] = { { "name", "web" } };
	uint8_t buf[256];
	struct ctl_request rq;
	const char *why = "";
	size_t n;

	n = payload(buf, sizeof buf, 3, restart, 1);
	ok(ctl_decode_request(buf, n, &rq, &why) == 0 && rq.op == CTL_RESTART && !strcmp(rq.name, "web"),
	   "any key order, unknown keys skipped");
	n = payload(buf, sizeof buf, 1, bogus_op, 1);
	ok(ctl_decode_request(buf, n, &rq, &why) < 0 && !strcmp(why, "unknown op"), "an unknown op is refused");
	n = payload(buf, sizeof buf, 2, bad_name, 1);
	ok(ctl_decode_request(buf, n, &rq, &why) < 0 && !strcmp(why, "bad child name"), "a bad child name is refused");
	n = payload(buf, sizeof buf, 1, no_op, 1);
	ok(ctl_decode_request(buf, n, &rq, &why) < 0, "a request without op is refused");
	n = payload(buf, sizeof buf, 1, bogus_op + 0, -1);
	ok(ctl_decode_request(buf, n, &rq, &why) < 0, "a request without v is refused");
	n = payload(buf, sizeof buf, 2, restart + 1, 2);
	ok(ctl_decode_request(buf, n, &rq, &why) < 0 && !strcmp(why, "unsupported protocol version"),
	   "version 2 is refused by name");
	static const uint8_t indef[] = { 0xbf, 0x62, 'o', 'p', 0x64, 'l', 'i', 's', 't', 0x61, 'v', 0x01, 0xff };
	ok(ctl_decode_request(indef, sizeof indef, &rq, &why) == 0 && rq.op == CTL_LIST,
	   "an indefinite-length map is accepted");
	static const uint8_t array[] = { 0x82, 0x01, 0x02 };
	ok(ctl_decode_request(array, sizeof array, &rq, &why) < 0 && !strcmp(why, "not a map"), "an array is refused");
	static const uint8_t trailing[] = { 0xa2, 0x61, 'v', 0x01, 0x62, 'o', 'p', 0x64, 'l', 'i', 's', 't', 0x00 };
	ok(ctl_decode_request(trailing, sizeof trailing, &rq, &why) < 0, "trailing bytes are refused");
	static const uint8_t vtext[] = { 0xa2, 0x61, 'v', 0x61, '1', 0x62, 'o', 'p', 0x64, 'l', 'i', 's', 't' };
	ok(ctl_decode_request(vtext, sizeof vtext, &rq, &why) < 0, "v as text is refused");
	ok(ctl_decode_request((const uint8_t *)"\xff", 1, &rq, &why) < 0, "a lone break is refused");
}

static void test_hash_and_policy(void)
{
	char h[CTL_CFG_HEX + 1];

	ctl_cfg_hash("", 0, h);
	is_str(h, "cbf29ce484222325", "FNV-1a 64 of nothing is the offset basis");
	ctl_cfg_hash("a", 1, h);
	is_str(h, "af63dc4c8601ec8c", "FNV-1a 64 of \"a\"");
	ctl_cfg_hash("foobar", 6, h);
	is_str(h, "85944171f73967e8", "FNV-1a 64 of \"foobar\"");
	char p[CTL_CFG_HEX + 1];
	ctl_cfg_text(ctl_cfg_update(ctl_cfg_update(CTL_CFG_SEED, "foo", 3), "bar", 3), p);
	is_str(p, h, "hashing in pieces gives the same hash");

	ok(ctl_peer_may(CTL_STATUS, 1234, 0) && ctl_peer_may(CTL_LIST, 1234, 0), "anyone who can connect may ask status");
	ok(!ctl_peer_may(CTL_RESTART, 1234, 0) && !ctl_peer_may(CTL_STOP, 1234, 1000),
	   "another uid may not restart or stop");
	ok(ctl_peer_may(CTL_RESTART, 0, 1000) && ctl_peer_may(CTL_STOP, 1000, 1000), "root and the server's uid may");
}

/* ---- a real server ---- */

struct seen {
	int restarts;
	char last[NAME_MAX_LEN + 1];
};

static void handler(void *arg, const struct ctl_request *rq, const struct ctl_peer *peer, struct ctl_reply *rp)
{
	struct seen *s = arg;

	(void)peer;
	if (rq->op == CTL_RESTART) {
		s->restarts++;
		strcpy(s->last, rq->name);
	}
	(void)rp;
}

static char dir[64], path[128];
static struct tether_ctx tctx;

/* Serve until child exits; returns its exit status. */
static int serve_until(struct ctl_server *srv, pid_t child)
{
	struct pollfd pfd[1 + CTL_CONNS_MAX];
	int status;

	for (;;) {
		int n = ctl_pollfds(srv, pfd);
		poll(pfd, (nfds_t)n, 20);
		ctl_service(srv, pfd, n, now_ms());
		if (waitpid(child, &status, WNOHANG) == child)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
	}
}

static int raw_connect(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(a.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		_exit(90);
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* Read one reply frame; 0 and rp, 1 on EOF, 2 on timeout or error. */
static int raw_reply(int fd, struct ctl_reply *rp)
{
	uint8_t buf[CTL_HEADER + CTL_REPLY_MAX];
	size_t have = 0, need = CTL_HEADER;
	const char *why;

	while (have < need) {
		ssize_t k = read(fd, buf + have, need - have);
		if (k == 0 || (k < 0 && errno == ECONNRESET))  /* closed with our bytes unread */
			return 1;
		if (k < 0)
			return 2;
		have += (size_t)k;
		if (have == CTL_HEADER)
			need += ctl_frame_len(buf);
	}
	memset(rp, 0, sizeof *rp);
	return ctl_decode_reply(buf + CTL_HEADER, have - CTL_HEADER, rp, &why) < 0 ? 2 : 0;
}

/* Child programs: exit 0 when the server behaved. */
static int client_garbage(void)
{
	struct ctl_reply rp;
	int fd = raw_connect();

	if (write(fd, "hello world\n", 12) != 12)
		return 8;
	if (raw_reply(fd, &rp) != 0 || rp.ok || strcmp(rp.err, "request too large"))
		return 1;
	return raw_reply(fd, &rp) == 1 ? 0 : 2;  /* then closed */
}

static int client_bad_cbor_then_status(void)
{
	static const uint8_t junk[] = { 0, 0, 0, 3, 0x1c, 0xff, 0xff };
	struct ctl_reply rp;
	int fd = raw_connect();

	if (write(fd, junk, sizeof junk) < 0)
		return 8;
	if (raw_reply(fd, &rp) != 0 || rp.ok || strncmp(rp.err, "bad request", 11))
		return 1;
	if (write(fd, status_frame, sizeof status_frame) < 0)
		return 8;
	return raw_reply(fd, &rp) == 0 && rp.ok && rp.pid == (int)getppid() ? 0 : 2;
}

static int client_oversized(void)
{
	static const uint8_t big[] = { 0, 1, 0, 0 };
	struct ctl_reply rp;
	int fd = raw_connect();

	if (write(fd, big, sizeof big) < 0)
		return 8;
	if (raw_reply(fd, &rp) != 0 || rp.ok || strcmp(rp.err, "request too large"))
		return 1;
	return raw_reply(fd, &rp) == 1 ? 0 : 2;
}

static int client_slow(void)
{
	struct ctl_reply rp;
	int fd = raw_connect();
	long long t0 = now_ms();

	if (write(fd, status_frame, 6) < 0)  /* and never the rest */
		return 8;
	if (raw_reply(fd, &rp) != 1)
		return 1;
	long long took = now_ms() - t0;
	return took >= CTL_IO_TIMEOUT_MS - 100 && took < CTL_IO_TIMEOUT_MS + 2000 ? 0 : 2;
}

static int client_pipelined(void)
{
	uint8_t two[2 * sizeof status_frame];
	struct ctl_reply rp;
	int fd = raw_connect();

	memcpy(two, status_frame, sizeof status_frame);
	memcpy(two + sizeof status_frame, status_frame, sizeof status_frame);
	if (write(fd, two, sizeof two) < 0)
		return 8;
	return raw_reply(fd, &rp) == 0 && rp.ok && raw_reply(fd, &rp) == 0 && rp.ok ? 0 : 1;
}

static int client_busy(void)
{
	struct ctl_reply rp;
	int fds[CTL_CONNS_MAX], fd;

	for (int i = 0; i < CTL_CONNS_MAX; i++) {
		fds[i] = raw_connect();
		if (write(fds[i], status_frame, sizeof status_frame) < 0)
			return 8;
		if (raw_reply(fds[i], &rp) != 0 || !rp.ok)
			return 1;
	}
	fd = raw_connect();
	if (raw_reply(fd, &rp) != 0 || rp.ok || strcmp(rp.err, "busy"))
		return 2;
	close(fds[0]);
	sleep_ms(100);
	fd = raw_connect();
	if (write(fd, status_frame, sizeof status_frame) < 0)
		return 8;
	return raw_reply(fd, &rp) == 0 && rp.ok ? 0 : 3;
}

static int client_restart_as(uid_t uid)
{
	struct ctl_request rq = { .v = CTL_VERSION, .op = CTL_RESTART };
	struct ctl_reply rp = { 0 };

	strcpy(rq.name, "web");
	if (uid && setuid(uid) < 0)
		return 9;
	if (ctl_request(path, &rq, &rp, 3000) < 0)
		return 1;
	if (uid)
		return !rp.ok && !strncmp(rp.err, "permission denied", 17) ? 0 : 2;
	return rp.ok ? 0 : 3;
}

static int client_status_as(uid_t uid)
{
	struct ctl_request rq = { .v = CTL_VERSION, .op = CTL_STATUS };
	struct ctl_reply rp = { 0 };

	if (setuid(uid) < 0)
		return 9;
	return ctl_request(path, &rq, &rp, 3000) == 0 && rp.ok ? 0 : 1;
}

static int client_probe(void)
{
	struct ctl_reply rp;

	return ctl_probe(&tctx, path, 1000, &rp, NULL) == CTL_PROBE_LIVE && rp.pid == (int)getppid() ? 0 : 1;
}

static int run_client(struct ctl_server *srv, int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	return serve_until(srv, pid);
}

static int run_client_uid(struct ctl_server *srv, int (*fn)(uid_t), uid_t uid)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(uid));
	return serve_until(srv, pid);
}

static void test_server(struct tether_ctx *ctx)
{
	struct ctl_reply self;
	static struct ctl_server srv;
	struct seen seen = { 0 };

	sample_reply(&self);
	self.pid = (int)getpid();
	strcpy(self.sock, path);
	struct ident me;
	if (ident_of(ctx, 0, &me) == 0)
		self.start = me.start;
	ok(ctl_listen(ctx, &srv, path, &self, handler, &seen) == 0, "the server binds and listens");
	struct stat sb;
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == CTL_SOCK_MODE, "its socket has mode 0660");

	is_int(run_client(&srv, client_garbage), 0, "text garbage gets \"request too large\", then the close");
	is_int(run_client(&srv, client_bad_cbor_then_status), 0,
	       "a frame that is not CBOR gets \"bad request\"; the same connection still works");
	is_int(run_client(&srv, client_oversized), 0, "an oversized length gets an error reply and the close");
	is_int(run_client(&srv, client_pipelined), 0, "two requests in one write get two replies, in turn");
	is_int(run_client(&srv, client_busy), 0, "past CTL_CONNS_MAX connections: \"busy\"; a freed slot serves again");
	is_int(run_client(&srv, client_slow), 0, "a frame not completed within CTL_IO_TIMEOUT_MS is dropped");
	is_int(run_client(&srv, client_probe), 0, "a probe of the live server says live, with its pid");
	is_int(run_client_uid(&srv, client_restart_as, 0), 0, "root may restart");
	ok(seen.restarts == 1 && !strcmp(seen.last, "web"), "and the handler saw restart web");
	if (geteuid() == 0) {
		chmod(dir, 0711);
		chmod(path, 0666);
		is_int(run_client_uid(&srv, client_restart_as, 65534), 0, "uid 65534 may not restart: permission denied");
		is_int(run_client_uid(&srv, client_status_as, 65534), 0, "but may ask status");
		is_int(seen.restarts, 1, "the refused restart never reached the handler");
	} else {
		tap_skip("uid 65534 may not restart", "needs root to switch uid");
		tap_skip("but may ask status", "needs root");
		tap_skip("the refused restart never reached the handler", "needs root");
	}
	ctl_close(&srv, 1);
	ok(access(path, F_OK) < 0, "closing unlinks the socket it bound");
}

static void test_probe(struct tether_ctx *ctx)
{
	char file[160], link[160], quiet[160];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	is_int(ctl_probe(ctx, path, 200, NULL, NULL), CTL_PROBE_ABSENT, "nothing at the path: absent");
	snprintf(file, sizeof file, "%s/file", dir);
	close(open(file, O_CREAT | O_WRONLY, 0600));
	is_int(ctl_probe(ctx, file, 200, NULL, NULL), CTL_PROBE_NOTSOCK, "a regular file: not a socket");
	snprintf(link, sizeof link, "%s/link", dir);
	snprintf(quiet, sizeof quiet, "%s/quiet", dir);
	ok(symlink(quiet, link) == 0, "(a symlink made)");
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(a.sun_path, quiet);
	bind(fd, (struct sockaddr *)&a, sizeof a);
	is_int(ctl_probe(ctx, quiet, 200, NULL, NULL), CTL_PROBE_STALE, "a socket nobody listens on: stale");
	is_int(ctl_probe(ctx, link, 200, NULL, NULL), CTL_PROBE_NOTSOCK, "a symlink to a socket: not followed");
	listen(fd, 4);
	int listener = 0;
	long long t0 = now_ms();
	is_int(ctl_probe(ctx, quiet, 300, NULL, &listener), CTL_PROBE_HUNG,
	       "a socket that accepts and never answers: hung (a bare connect proves nothing)");
	long long took = now_ms() - t0;
	ok(took >= 280 && took < 1500, "within the deadline given (%lld ms for 300)", took);
	is_int(listener, getpid(), "the listener's pid comes from SO_PEERCRED");
	close(fd);
	unlink(quiet);
	unlink(link);
	unlink(file);
}

int main(void)
{
	struct tether_ctx *ctx = &tctx;

	ctx_init(ctx);
	snprintf(dir, sizeof dir, "/tmp/tether-ctl.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/s.sock", dir);
	test_request_bytes();
	test_reply_bytes();
	test_list();
	test_request_decode();
	test_hash_and_policy();
	test_probe(ctx);
	test_server(ctx);
	rmdir(dir);
	return tap_done();
}
#else
int main(void)
{
	tap_skip_all("CONFIG_CTL is off");
	return 0;
}
#endif
