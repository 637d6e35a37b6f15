/*
 * libFuzzer harness for tether's parsers of untrusted bytes other than the
 * CBOR codec (fuzz_cbor.c): state records, control-socket requests and
 * replies and the framing both ends read them in, restart markers, the supervise config, /proc stat and boot_id,
 * cgroup files and the owners their paths name, ELF headers, process
 * environments and command lines. The first
 * byte picks the parser (fuzz_parsers.h); tests/fuzz/fuzz.sh builds it.
 *
 * Beyond staying in bounds, every parser keeps its header's promises:
 * a failure says why (one line) or sets its errno; a success yields
 * fields within their bounds, NUL-terminated, and consistent with the
 * bytes read; what has an encoder decodes, re-encodes and decodes again
 * to the same fields, and re-encodes to the same bytes.
 */
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cbor.h"
#include "cgroup.h"
#include "ctl.h"
#include "elfcheck.h"
#include "fmt.h"
#include "fuzz_parsers.h"
#include "marker.h"
#include "procfs.h"
#include "state.h"
#include "sup.h"
#include "supervise.h"

#define must(c) do { if (!(c)) __builtin_trap(); } while (0)

#define GUARD 16              /* bytes past a cap that must stay untouched */
#define GUARD_BYTE 0x5a
#define SMALL_CAP 8           /* a cap that truncates most results */
#define REPLY_CHILDREN 4      /* room for children: more are dropped */
#define PATH_INPUT_MAX (2 * CGROUP_PATH_MAX)
#define QUOTED_MAX (2 * SV_CONFIG_MAX)
#define ARGS_MAX (SV_WORDS_MAX + SV_CHILDREN_MAX)
#define STAT_FIELD_PPID 4
#define STAT_FIELD_START 22
#define SERVICE_SUFFIX ".service"
#define USER_MANAGER_PREFIX "user@"
#define UNIT_NAME_EXTRA ":-_.\\@"
#define PROCD_ROOT "services"
#define ENV_EXPANDED_MAX 65536
#define FUZZ_INPUT_MAX 65536
#define FRAMES_MAX (FUZZ_INPUT_MAX / (CTL_HEADER + 1) + 1)
#define FRAME_NOW 0             /* the server's clock: no deadline passes */
#define REPLIES_MAX 65536       /* replies to one chunk's frames, at most */

static int terminated(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

static void why_ok(const char *why)
{
	must(why && *why && !strchr(why, '\n'));
}

static void guard_ok(const char *buf, size_t cap, size_t size)
{
	for (size_t i = cap; i < size; i++)
		must((unsigned char)buf[i] == GUARD_BYTE);
}

/* ---- state records ---- */

static void record_sane(const struct record *r)
{
	const char *s[] = { r->id.boot, r->cwd, r->exe, r->sock, r->log, r->cfg };
	const size_t cap[] = { sizeof r->id.boot, sizeof r->cwd, sizeof r->exe, sizeof r->sock, sizeof r->log,
			       sizeof r->cfg };
	size_t off = 0;

	must(name_valid(r->name) && r->id.pid > 0 && r->version > 0);
	/* exe_comm is derived: the last component of exe, cut to 15 bytes */
	must(terminated(r->id.exe_comm, sizeof r->id.exe_comm) && (r->id.exe_ino || !r->id.exe_comm[0]));
	if (r->id.exe_comm[0])
		must(terminated(r->exe, sizeof r->exe) &&
		     !strncmp(strrchr(r->exe, '/') ? strrchr(r->exe, '/') + 1 : r->exe, r->id.exe_comm,
			      IDENT_COMM_MAX - 1));
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		must(terminated(s[i], cap[i]));
	must(r->argc >= 0 && r->argc <= ARGV_MAX && !r->argv[r->argc]);
	for (int i = 0; i < r->argc; i++) {
		must(r->argv[i] == r->argbuf + off && terminated(r->argv[i], sizeof r->argbuf - off));
		off += strlen(r->argv[i]) + 1;
	}
	must(r->extra_len <= EXTRA_MAX && (r->extra_pairs > 0) == (r->extra_len > 0));
	must(r->owner.type > OWNER_UNKNOWN || (r->owner.type == OWNER_UNKNOWN && !r->owner.unit[0]));
	must(r->owner.type < OWNER_TYPE_COUNT && terminated(r->owner.unit, sizeof r->owner.unit) &&
	     terminated(r->owner.service, sizeof r->owner.service) &&
	     terminated(r->owner.instance, sizeof r->owner.instance) && terminated(r->owner.dir, sizeof r->owner.dir));
}

/* What state_encode writes of a decoded record: dev only beside an inode
 * (the executable's, the pid namespace's), an owner's uid only for
 * systemd, unknown keys in sorted order. */
static void same_record(const struct record *a, const struct record *b)
{
	must(a->version == b->version && !strcmp(a->name, b->name) && a->id.pid == b->id.pid &&
	     a->id.start == b->id.start && !strcmp(a->id.boot, b->id.boot) && a->id.exe_ino == b->id.exe_ino &&
	     (!a->id.exe_ino || a->id.exe_dev == b->id.exe_dev) && a->id.pidns_ino == b->id.pidns_ino &&
	     (!a->id.pidns_ino || a->id.pidns_dev == b->id.pidns_dev));
	must(a->since == b->since && a->restarts == b->restarts && a->failed == b->failed &&
	     a->stopped == b->stopped && a->extra_pairs == b->extra_pairs && a->extra_len == b->extra_len);
	must(!strcmp(a->cwd, b->cwd) && !strcmp(a->exe, b->exe) && !strcmp(a->sock, b->sock) &&
	     !strcmp(a->log, b->log) && !strcmp(a->cfg, b->cfg) && a->argc == b->argc);
	for (int i = 0; i < a->argc; i++)
		must(!strcmp(a->argv[i], b->argv[i]));
	must(a->owner.type == b->owner.type && !strcmp(a->owner.unit, b->owner.unit) &&
	     !strcmp(a->owner.service, b->owner.service) && !strcmp(a->owner.instance, b->owner.instance) &&
	     !strcmp(a->owner.dir, b->owner.dir));
	must(a->owner.type != OWNER_SYSTEMD || a->owner.uid == b->owner.uid);
}

static void fuzz_state(const uint8_t *p, size_t n)
{
	static struct record a, b;
	static uint8_t buf[2 * RECORD_MAX], again[2 * RECORD_MAX];
	const char *why = NULL, *malformed = NULL;
	size_t len, len2, used = 0;
	int bad = cbor_check(p, n, NULL, &used, &malformed) < 0;

	/* state_decode checks the whole only when its one pass fails or
	 * skips what it does not know: it must refuse exactly what is not
	 * well-formed within the default limits, for the same reason. */
	if (state_decode(p, n, &a, &why) < 0) {
		why_ok(why);
		if (bad)
			must(!strcmp(why, malformed));
		else if (used != n)
			must(!strcmp(why, "trailing bytes after the record"));
		return;
	}
	must(!bad && used == n);
	record_sane(&a);
	/* Room for the bytes it came from and the keys always written
	 * (argv, since, restarts): a decoded record must encode again. */
	must(!state_encode(&a, buf, sizeof buf, &len));
	why = NULL;
	must(!state_decode(buf, len, &b, &why));
	record_sane(&b);
	same_record(&a, &b);
	must(!state_encode(&b, again, sizeof again, &len2) && len2 == len && !memcmp(buf, again, len));
}

/* ---- control socket ---- */

static void fuzz_ctl_request(const uint8_t *p, size_t n)
{
	struct ctl_request a, b;
	uint8_t buf[CTL_HEADER + CTL_REQUEST_MAX], again[sizeof buf];
	const char *why = NULL;
	size_t len, len2;

	if (ctl_decode_request(p, n, &a, &why) < 0) {
		why_ok(why);
		return;
	}
	must(a.v == CTL_VERSION && (unsigned)a.op < CTL_OP_COUNT && terminated(a.name, sizeof a.name));
	must(!a.name[0] || name_valid(a.name));
	must(ctl_op_parse(ctl_op_name(a.op)) == (int)a.op);
	must(!ctl_encode_request(&a, buf, sizeof buf, &len) && len > CTL_HEADER);
	must(ctl_frame_len(buf) == len - CTL_HEADER);
	must(!ctl_decode_request(buf + CTL_HEADER, len - CTL_HEADER, &b, &why));
	must(b.v == a.v && b.op == a.op && !strcmp(a.name, b.name));
	must(!ctl_encode_request(&b, again, sizeof again, &len2) && len2 == len && !memcmp(buf, again, len));
}

static void reply_sane(const struct ctl_reply *r)
{
	must(r->v == CTL_VERSION && (r->ok == 0 || r->ok == 1) && r->pid >= 0);
	must(terminated(r->err, sizeof r->err) && terminated(r->name, sizeof r->name) &&
	     terminated(r->sock, sizeof r->sock) && terminated(r->cfg, sizeof r->cfg));
	must(r->nchildren >= 0 && r->nchildren <= r->cap && (r->list || !r->nchildren));
	for (int i = 0; i < r->nchildren; i++) {
		const struct ctl_child *c = &r->children[i];
		must(c->pid >= 0 && terminated(c->name, sizeof c->name) && terminated(c->state, sizeof c->state));
	}
}

/* a and b the same reply; reencoded: b decodes a's encoding, which
 * writes err only when !ok (an ok reply that carried one loses it). */
static void same_reply(const struct ctl_reply *a, const struct ctl_reply *b, int reencoded)
{
	must(a->v == b->v && a->ok == b->ok && a->pid == b->pid && a->start == b->start);
	must(!strcmp(a->name, b->name) && !strcmp(a->sock, b->sock) && !strcmp(a->cfg, b->cfg));
	must(reencoded && a->ok ? !b->err[0] : !strcmp(a->err, b->err));
	must(a->list == b->list && a->nchildren == b->nchildren);
	for (int i = 0; i < a->nchildren; i++) {
		const struct ctl_child *x = &a->children[i], *y = &b->children[i];
		must(x->pid == y->pid && x->start == y->start && x->restarts == y->restarts &&
		     !strcmp(x->name, y->name) && !strcmp(x->state, y->state));
	}
}

static void fuzz_ctl_reply(const uint8_t *p, size_t n)
{
	static struct ctl_child ca[REPLY_CHILDREN], cb[REPLY_CHILDREN];
	static uint8_t buf[CTL_HEADER + CTL_REPLY_MAX], again[sizeof buf];
	struct ctl_reply a = { .children = ca, .cap = REPLY_CHILDREN };
	struct ctl_reply b = { .children = cb, .cap = REPLY_CHILDREN };
	const char *why = NULL;
	size_t len, len2;

	if (ctl_decode_reply(p, n, &a, &why) < 0) {
		why_ok(why);
		return;
	}
	must(a.children == ca && a.cap == REPLY_CHILDREN);
	reply_sane(&a);
	/* Keys the reply lacked are written, so it may outgrow a frame. */
	if (ctl_encode_reply(&a, buf, sizeof buf, &len) < 0) {
		must(errno == E2BIG);
		return;
	}
	must(len > CTL_HEADER && ctl_frame_len(buf) == len - CTL_HEADER && len - CTL_HEADER <= CTL_REPLY_MAX);
	must(!ctl_decode_reply(buf + CTL_HEADER, len - CTL_HEADER, &b, &why));
	reply_sane(&b);
	same_reply(&a, &b, 1);
	must(!ctl_encode_reply(&b, again, sizeof again, &len2) && len2 == len && !memcmp(buf, again, len));
}

/* ---- markers ---- */

static void fuzz_marker(const uint8_t *p, size_t n)
{
	struct marker a, b;
	uint8_t buf[512];
	size_t len;

	if (marker_decode(p, n, FUZZ_MARKER_NAME, &a) < 0)
		return;
	must(a.pid > 0 && a.created >= 0 && a.expires > a.created && a.expires - a.created <= MARKER_TTL_MAX);
	must(terminated(a.owner, sizeof a.owner) && owner_type_parse(a.owner) >= 0);
	must(!marker_encode(&a, FUZZ_MARKER_NAME, buf, sizeof buf, &len));
	must(!marker_decode(buf, len, FUZZ_MARKER_NAME, &b));
	must(!strcmp(a.owner, b.owner) && a.pid == b.pid && a.start == b.start && a.created == b.created &&
	     a.expires == b.expires);
	must(marker_decode(buf, len, FUZZ_MARKER_NAME "x", &b) < 0);
}

/* ---- supervise config ---- */

static void config_sane(const struct sv_config *c)
{
	must(c->count > 0 && c->count <= SV_CHILDREN_MAX && c->nptrs <= SV_WORDS_MAX);
	for (int i = 0; i < c->count; i++) {
		const struct sv_child_cfg *ch = &c->child[i];
		size_t bytes = 0;
		must(name_valid(ch->name) && ch->argc >= 1 && ch->argc <= ARGV_MAX && !ch->argv[ch->argc]);
		for (int j = 0; j < i; j++)
			must(strcmp(c->child[j].name, ch->name));
		for (int j = 0; j < ch->argc; j++) {
			must(ch->argv[j] && !strchr(ch->argv[j], '\n'));
			bytes += strlen(ch->argv[j]) + 1;
		}
		must(bytes <= ARGV_BYTES);
	}
}

static void same_config(const struct sv_config *a, const struct sv_config *b)
{
	char ha[CTL_CFG_HEX + 1], hb[CTL_CFG_HEX + 1];

	must(a->count == b->count);
	for (int i = 0; i < a->count; i++) {
		must(!strcmp(a->child[i].name, b->child[i].name) && a->child[i].argc == b->child[i].argc);
		for (int j = 0; j < a->child[i].argc; j++)
			must(!strcmp(a->child[i].argv[j], b->child[i].argv[j]));
	}
	sv_config_hash(a, ha);
	sv_config_hash(b, hb);
	must(strlen(ha) == CTL_CFG_HEX && !strcmp(ha, hb));
}

/* c as a config file again, every word in "..." (a tab between words). */
static size_t config_quote(const struct sv_config *c, char *out, size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < c->count; i++) {
		const struct sv_child_cfg *ch = &c->child[i];
		for (int j = -1; j < ch->argc; j++) {
			const char *w = j < 0 ? ch->name : ch->argv[j];
			must(n + 2 * strlen(w) + 4 < cap);
			out[n++] = '"';
			for (; *w; w++) {
				if (*w == '"' || *w == '\\')
					out[n++] = '\\';
				out[n++] = *w;
			}
			out[n++] = '"';
			out[n++] = j + 1 < ch->argc ? '\t' : '\n';
		}
	}
	return n;
}

/* c as `supervise -- NAME CMD...` arguments; 0 if a word is "--". */
static int config_args(const struct sv_config *c, char **args)
{
	int n = 0;

	for (int i = 0; i < c->count; i++) {
		if (i)
			args[n++] = "--";
		args[n++] = (char *)c->child[i].name;
		for (int j = 0; j < c->child[i].argc; j++) {
			if (!strcmp(c->child[i].argv[j], "--"))
				return 0;
			args[n++] = c->child[i].argv[j];
		}
	}
	return n;
}

static void err_ok(const char *err, size_t cap, size_t size)
{
	const char *end = memchr(err, 0, cap);

	must(end && end > err && !memchr(err, '\n', (size_t)(end - err)));
	guard_ok(err, cap, size);
}

static void fuzz_sv_config(const uint8_t *p, size_t n)
{
	static struct sv_config a, b;
	static char text[QUOTED_MAX];
	static char *args[ARGS_MAX];
	char err[SV_ERR_MAX + GUARD];
	size_t len;
	int argc;

	memset(err, GUARD_BYTE, sizeof err);
	if (sv_config_parse(&a, (const char *)p, n, err, SV_ERR_MAX) < 0) {
		err_ok(err, SV_ERR_MAX, sizeof err);
		memset(err, GUARD_BYTE, sizeof err);
		must(sv_config_parse(&a, (const char *)p, n, err, SMALL_CAP) < 0);
		err_ok(err, SMALL_CAP, sizeof err);
		return;
	}
	config_sane(&a);
	len = config_quote(&a, text, sizeof text);
	if (len < SV_CONFIG_MAX) {
		must(!sv_config_parse(&b, text, len, err, SV_ERR_MAX));
		same_config(&a, &b);
	}
	argc = config_args(&a, args);
	if (argc) {
		must(!sv_config_args(&b, argc, args, err, SV_ERR_MAX));
		same_config(&a, &b);
	}
}

/* ---- /proc ---- */

/* Field k (from 3, after the last ')') of a stat line as a number; fields
 * are one blank apart there. -1 if it is not all digits. */
static long long stat_field(const char *close, const char *end, int k)
{
	const char *s = close + 2;
	long long v = 0;

	for (int f = 3; f < k; s++)
		if (*s == ' ')
			f++;
	if (s >= end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		v = v > (LLONG_MAX - 9) / 10 ? LLONG_MAX : v * 10 + (*s - '0');
	return v;
}

static void fuzz_stat(const uint8_t *p, size_t n)
{
	const char *s = (const char *)p, *end = s + n, *open, *close = NULL;
	struct proc_stat st;
	long long pid = 0;

	errno = 0;
	if (procfs_parse_stat(s, n, &st) < 0) {
		must(errno == EBADMSG);
		return;
	}
	for (open = s; open < end && *open >= '0' && *open <= '9'; open++)
		pid = pid * 10 + (*open - '0');
	must(open > s && pid == st.pid && open + 1 < end && open[0] == ' ' && open[1] == '(');
	open += 2;
	for (const char *c = open; c < end; c++)
		if (*c == ')')
			close = c;
	must(close && (size_t)(close - open) == strlen(st.comm) && !memcmp(st.comm, open, strlen(st.comm)));
	must(strlen(st.comm) < PROC_COMM_MAX && close + 2 < end && close[2] == st.state);
	must(stat_field(close, end, STAT_FIELD_PPID) == st.ppid);
	if (st.start <= LLONG_MAX / 10)
		must(stat_field(close, end, STAT_FIELD_START) == (long long)st.start);
}

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void fuzz_boot_id(const uint8_t *p, size_t n)
{
	char out[BOOT_ID_LEN + 1 + GUARD];

	memset(out, GUARD_BYTE, sizeof out);
	errno = 0;
	if (procfs_parse_boot_id((const char *)p, n, out) < 0) {
		must(errno == EBADMSG);
		return;
	}
	guard_ok(out, BOOT_ID_LEN + 1, sizeof out);
	must(n == BOOT_ID_LEN || (n == BOOT_ID_LEN + 1 && p[BOOT_ID_LEN] == '\n'));
	must(strlen(out) == BOOT_ID_LEN && !memcmp(out, p, BOOT_ID_LEN));
	for (int i = 0; i < BOOT_ID_LEN; i++)
		must(i == 8 || i == 13 || i == 18 || i == 23 ? out[i] == '-' : is_lower_hex(out[i]));
}

/* ---- cgroups ---- */

/* Component k (from 0) of a path, as cgroup.c splits it ("//" is one
 * separator): its length, or -1 if there is none. */
static long component(const char *path, int k, const char **at)
{
	for (int i = 0;; i++) {
		while (*path == '/')
			path++;
		if (!*path)
			return -1;
		*at = path;
		path += strcspn(path, "/");
		if (i == k)
			return path - *at;
	}
}

static int component_is(const char *path, int k, const char *name)
{
	const char *c;
	long n = component(path, k, &c);

	return n >= 0 && (size_t)n == strlen(name) && !memcmp(c, name, (size_t)n);
}

static int has_component(const char *path, const char *name)
{
	const char *c;

	for (int k = 0; component(path, k, &c) >= 0; k++)
		if (component_is(path, k, name))
			return 1;
	return 0;
}

/* "user@UID.service" (UID: digits, at most INT_MAX): UID, else -1. */
static long user_manager(const char *c, size_t n)
{
	size_t head = strlen(USER_MANAGER_PREFIX), tail = strlen(SERVICE_SUFFIX);
	long uid = 0;

	if (n <= head + tail || memcmp(c, USER_MANAGER_PREFIX, head) || memcmp(c + n - tail, SERVICE_SUFFIX, tail))
		return -1;
	for (size_t i = head; i < n - tail; i++) {
		if (c[i] < '0' || c[i] > '9')
			return -1;
		uid = uid * 10 + (c[i] - '0');
		if (uid > INT_MAX)
			return -1;
	}
	return uid;
}

static int has_user_manager(const char *path, int uid)
{
	const char *c;
	long n;

	for (int k = 0; (n = component(path, k, &c)) >= 0; k++)
		if (user_manager(c, (size_t)n) == uid)
			return 1;
	return 0;
}

static void owner_fresh(struct owner *o)
{
	memset(o, GUARD_BYTE, sizeof *o);
}

static int owner_untouched(const struct owner *o)
{
	struct owner fresh;

	owner_fresh(&fresh);
	return !memcmp(o, &fresh, sizeof *o);
}

static void check_systemd(const char *path)
{
	struct owner o;
	size_t n, tail = strlen(SERVICE_SUFFIX);

	owner_fresh(&o);
	if (!cgroup_systemd_owner(path, &o)) {
		must(owner_untouched(&o));
		return;
	}
	must(o.type == OWNER_SYSTEMD && terminated(o.unit, sizeof o.unit));
	n = strlen(o.unit);
	must(n > tail && !strcmp(o.unit + n - tail, SERVICE_SUFFIX) && has_component(path, o.unit));
	for (size_t i = 0; i < n; i++)
		must((o.unit[i] >= '0' && o.unit[i] <= '9') || (o.unit[i] >= 'a' && o.unit[i] <= 'z') ||
		     (o.unit[i] >= 'A' && o.unit[i] <= 'Z') || strchr(UNIT_NAME_EXTRA, o.unit[i]));
	must(user_manager(o.unit, n) < 0);
	must(o.uid == -1 || (o.uid >= 0 && has_user_manager(path, o.uid)));
	owner_fresh(&o);
	must(cgroup_systemd_owner(path, &o) == 1);
}

static int procd_name_ok(const char *s)
{
	if (!*s || strlen(s) >= OWNER_SERVICE_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

static void check_procd(const char *path)
{
	struct owner o;
	const char *c;

	owner_fresh(&o);
	if (!cgroup_procd_owner(path, &o)) {
		must(owner_untouched(&o));
		return;
	}
	must(o.type == OWNER_PROCD && terminated(o.service, sizeof o.service) &&
	     terminated(o.instance, sizeof o.instance));
	must(path[0] == '/' && component_is(path, 0, PROCD_ROOT) && component_is(path, 1, o.service) &&
	     procd_name_ok(o.service));
	if (o.instance[0])
		must(component_is(path, 2, o.instance) && procd_name_ok(o.instance));
	else
		must(component(path, 2, &c) < 0);
}

/* A path picked from text: the third field of one of its lines. */
static int path_in(const char *text, size_t len, const char *path)
{
	size_t k = strlen(path);

	for (const char *s = text, *end = text + len; (s = memchr(s, ':', (size_t)(end - s))); s++) {
		const char *after = s + 1 + k;
		if ((size_t)(end - s - 1) < k || memcmp(s + 1, path, k))
			continue;
		if (after == end || *after == '\n' || (*after == '\r' && (after + 1 == end || after[1] == '\n')))
			return 1;
	}
	return 0;
}

static void pick(const char *text, size_t len, size_t cap)
{
	char path[CGROUP_PATH_MAX + GUARD];

	memset(path, GUARD_BYTE, sizeof path);
	errno = 0;
	if (cgroup_pick_path(text, len, path, cap) < 0) {
		must(errno == ENOENT);
		guard_ok(path, 0, sizeof path);
		return;
	}
	guard_ok(path, cap, sizeof path);
	must(terminated(path, cap) && path[0] == '/' && path_in(text, len, path));
	check_systemd(path);
	check_procd(path);
}

static void fuzz_cgroup(const uint8_t *p, size_t n)
{
	pick((const char *)p, n, CGROUP_PATH_MAX);
	pick((const char *)p, n, SMALL_CAP);
}

/* The path up to the input's first NUL. */
static const char *as_path(const uint8_t *p, size_t n)
{
	static char path[PATH_INPUT_MAX + 1];

	n = n < PATH_INPUT_MAX ? n : PATH_INPUT_MAX;
	memcpy(path, p, n);
	path[n] = 0;
	return path;
}

static int same_owner(const struct owner *a, const struct owner *b)
{
	return a->type == b->type && a->uid == b->uid && !strcmp(a->unit, b->unit) &&
	       !strcmp(a->service, b->service) && !strcmp(a->instance, b->instance) && !strcmp(a->dir, b->dir);
}

/* Without a pid there is no parent: only the cgroup can name an owner,
 * systemd only with an INVOCATION_ID that is valid or unknown. */
static void fuzz_detect(const uint8_t *p, size_t n)
{
	static const char *const ids[FD_COUNT] = { NULL, "", FUZZ_INVOCATION_ID, FUZZ_INVOCATION_BAD };
	struct tether_ctx ctx = { .proc_root = "/nonexistent", .state_dir = "/nonexistent" };
	struct owner o, want;
	char path[CGROUP_PATH_MAX];
	const char *id;

	if (!n)
		return;
	id = ids[p[0] % FD_COUNT];
	p++, n--;
	owner_fresh(&o);
	must(!sup_detect_cgroup(&ctx, (const char *)p, n, id, &o));
	owner_clear(&want);
	want.type = OWNER_NONE;
	if (!cgroup_pick_path((const char *)p, n, path, sizeof path)) {
		int proof = !id || !strcmp(id, FUZZ_INVOCATION_ID);
		if (!proof || !cgroup_systemd_owner(path, &want))
			cgroup_procd_owner(path, &want);
	}
	must(same_owner(&o, &want));
}

/* ---- ELF ---- */

static void fuzz_elf(const uint8_t *p, size_t n)
{
	const char *why = NULL;

	if (elf_runs_here(p, n, &why) < 0) {
		why_ok(why);
		return;
	}
	must(n >= EI_NIDENT + 4 && !memcmp(p, ELFMAG, SELFMAG));
	must(p[EI_CLASS] == (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32));
}

/* ---- /proc/PID/environ ---- */

/* What procfs_env_scan promises, the simple way: the first entry (NUL
 * ends one, the input's end the last) shorter than a chunk that is
 * "name=value". Returns value's offset and length, or -2. */
static ssize_t env_want(const char *env, size_t n, const char *name, size_t *at)
{
	size_t k = strlen(name);

	for (size_t i = 0; i < n;) {
		const char *nul = memchr(env + i, 0, n - i);
		size_t len = nul ? (size_t)(nul - env) - i : n - i;
		if (len < PROCFS_ENV_CHUNK && len > k && !memcmp(env + i, name, k) && env[i + k] == '=') {
			*at = i + k + 1;
			return (ssize_t)(len - k - 1);
		}
		i += len + 1;
	}
	return -2;
}

static void env_scan(int fd, const char *env, size_t n, const char *name, size_t cap)
{
	char out[PROCFS_ENV_CHUNK + GUARD];
	size_t at = 0;
	ssize_t want = env_want(env, n, name, &at), got;

	memset(out, GUARD_BYTE, sizeof out);
	must(lseek(fd, 0, SEEK_SET) == 0);
	got = procfs_env_scan(fd, name, out, cap);
	must(got == want);
	if (got < 0) {
		guard_ok(out, 0, sizeof out);
		return;
	}
	size_t kept = (size_t)got < cap ? (size_t)got : cap - 1;
	must(!memcmp(out, env + at, kept) && out[kept] == 0);
	guard_ok(out, cap, sizeof out);
}

static void fuzz_environ(const uint8_t *p, size_t n)
{
	static const char *const names[FE_NAMES] = { "K", "KEY", "INVOCATION_ID" };
	static char env[ENV_EXPANDED_MAX];
	size_t len = 0;
	int fd;

	if (!n)
		return;
	const char *name = names[p[0] % FE_NAMES];
	for (size_t i = 1; i < n && len < sizeof env; i++) {
		if (p[i] != FUZZ_ENV_RUN || i + 1 == n) {
			env[len++] = (char)p[i];
			continue;
		}
		size_t run = (size_t)p[++i] * FUZZ_ENV_RUN_UNIT;
		run = run < sizeof env - len ? run : sizeof env - len;
		memset(env + len, 'x', run);
		len += run;
	}
	fd = memfd_create("environ", MFD_CLOEXEC);
	must(fd >= 0 && write(fd, env, len) == (ssize_t)len);
	env_scan(fd, env, len, name, PROCFS_ENV_CHUNK);
	env_scan(fd, env, len, name, SMALL_CAP);
	close(fd);
}

/* ---- /proc/PID/cmdline ---- */

/* What procfs_arg_next promises, byte by byte: each NUL ends an argument
 * (start[k] to end[k]); bytes after the last NUL are one more, unless the
 * read filled the buffer. Bytes at cap and past it are not there. */
static size_t args_want(const char *in, size_t n, size_t cap, size_t *start, size_t *end)
{
	size_t k = 0, s = 0;

	n = n < cap ? n : cap;
	for (size_t i = 0; i < n; i++) {
		if (in[i])
			continue;
		start[k] = s;
		end[k++] = i;
		s = i + 1;
	}
	if (s < n && n + 1 < cap) {
		start[k] = s;
		end[k++] = n;
	}
	return k;
}

static void fuzz_cmdline(const uint8_t *p, size_t n)
{
	static size_t start[FUZZ_INPUT_MAX], end[FUZZ_INPUT_MAX];
	const char *in = (const char *)p + 1;
	size_t len, cap, want, got = 0, at = 0, kept;
	char *buf, *arg;

	if (!n || n > FUZZ_INPUT_MAX)
		return;
	len = n - 1;
	cap = len + p[0] % FC_CAPS;
	cap = cap ? cap - 1 : 0;
	kept = len < cap ? len : cap;
	/* Exactly cap bytes: ASan sees a byte read or written past it. */
	buf = malloc(cap);
	must(buf);
	memcpy(buf, in, kept);
	want = args_want(in, len, cap, start, end);
	while ((arg = procfs_arg_next(buf, len, cap, &at))) {
		must(got < want && arg == buf + start[got] && at <= kept);
		must(!memcmp(arg, in + start[got], end[got] - start[got]) && !arg[end[got] - start[got]]);
		got++;
	}
	must(got == want && !procfs_arg_next(buf, len, cap, &at));
	must(!memcmp(buf, in, kept));
	free(buf);
}

/* ---- control socket framing ---- */

static const struct ctl_reply frame_self = { .v = CTL_VERSION, .ok = 1, .pid = 42, .start = 1000, .name = "grp",
					     .sock = "/s", .cfg = "0123456789abcdef" };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What the server must answer to one frame, as ctl.h says. */
struct frame_want {
	int ok;
	char err[CTL_ERR_MAX];
	struct ctl_request rq;       /* ok: what the handler is given */
};

/* The protocol, byte by byte: where the client's stream stands. */
struct frame_model {
	uint8_t frame[CTL_HEADER + CTL_REQUEST_MAX];
	size_t have;                 /* bytes of the current frame */
	int closed;
	uid_t peer_uid;
	size_t nwant;
	struct frame_want want[FRAMES_MAX];
};

/* What the handler was given, in order. */
struct frame_seen {
	size_t n;
	struct ctl_request rq[FRAMES_MAX];
};

static void frame_handler(void *arg, const struct ctl_request *rq, const struct ctl_peer *peer, struct ctl_reply *rp)
{
	struct frame_seen *seen = arg;

	(void)peer;
	must(seen->n < FRAMES_MAX);
	seen->rq[seen->n++] = *rq;
	rp->ok = 1;
}

static void frame_refused(struct frame_model *m, const char *why)
{
	struct frame_want *w = &m->want[m->nwant++];

	memset(w, 0, sizeof *w);
	fmt(w->err, sizeof w->err, "%s", why);
	m->closed = 1;
}

static void frame_whole(struct frame_model *m, const uint8_t *body, size_t len)
{
	struct frame_want *w = &m->want[m->nwant++];
	const char *why = "";

	memset(w, 0, sizeof *w);
	if (ctl_decode_request(body, len, &w->rq, &why) < 0)
		fmt(w->err, sizeof w->err, "bad request: %s", why);
	else if (!ctl_peer_may(w->rq.op, m->peer_uid, FS_SERVER_UID))
		fmt(w->err, sizeof w->err, "permission denied: uid %d may not %s", (int)m->peer_uid,
		    ctl_op_name(w->rq.op));
	else
		w->ok = 1;
}

static void model_feed(struct frame_model *m, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && !m->closed; i++) {
		m->frame[m->have++] = p[i];
		if (m->have < CTL_HEADER)
			continue;
		uint32_t len = be32(m->frame);
		if (!len)
			frame_refused(m, "empty request");
		else if (len > CTL_REQUEST_MAX)
			frame_refused(m, "request too large");
		else if (m->have == CTL_HEADER + len) {
			frame_whole(m, m->frame + CTL_HEADER, len);
			m->have = 0;
		}
	}
}

static void same_request(const struct ctl_request *a, const struct ctl_request *b)
{
	must(a->v == b->v && a->op == b->op && !strcmp(a->name, b->name));
}

/* One reply frame against what was wanted. */
static void reply_is(const uint8_t *body, size_t len, const struct frame_want *w)
{
	struct ctl_reply rp = { 0 };
	const char *why = NULL;

	must(!ctl_decode_reply(body, len, &rp, &why));
	must(rp.ok == w->ok && (w->ok ? !rp.err[0] : !strcmp(rp.err, w->err)));
	must(rp.pid == frame_self.pid && rp.start == frame_self.start && !strcmp(rp.name, frame_self.name) &&
	     !strcmp(rp.sock, frame_self.sock) && !strcmp(rp.cfg, frame_self.cfg) && !rp.list);
}

struct frame_check {
	int peer;                    /* the client's end */
	size_t replies, handled;     /* checked so far */
	const struct ctl_server *before;
};

/* After the server ran: the replies it wrote are the wanted ones, the
 * handler got exactly the framed requests, the connection is open with
 * the current frame's bytes read, or closed, as the model says, and
 * nothing but connection 0's fields changed. */
static void frame_check(struct frame_check *k, const struct ctl_server *s, const struct frame_model *m,
			const struct frame_seen *seen)
{
	static uint8_t buf[REPLIES_MAX];
	const struct ctl_conn *c = &s->conn[0];
	size_t fill = 0, at = 0;
	ssize_t r;

	while (fill < sizeof buf && (r = recv(k->peer, buf + fill, sizeof buf - fill, MSG_DONTWAIT)) > 0)
		fill += (size_t)r;
	must(fill < sizeof buf);
	while (at < fill) {
		must(fill - at > CTL_HEADER && k->replies < m->nwant);
		uint32_t len = be32(buf + at);
		must(len && len <= CTL_REPLY_MAX && len <= fill - at - CTL_HEADER);
		const struct frame_want *w = &m->want[k->replies++];
		reply_is(buf + at + CTL_HEADER, len, w);
		if (w->ok) {
			must(k->handled < seen->n);
			same_request(&seen->rq[k->handled++], &w->rq);
		}
		at += CTL_HEADER + len;
	}
	must(k->replies == m->nwant && k->handled == seen->n);
	must((c->fd < 0) == m->closed && c->have <= sizeof c->buf && (m->closed || c->have == m->have));
	must(!memcmp(s, k->before, offsetof(struct ctl_server, conn)));
	must(!memcmp(&s->conn[1], &k->before->conn[1], sizeof s->conn - sizeof s->conn[0]));
}

static void frame_serve(struct ctl_server *s)
{
	struct pollfd pfd = { s->conn[0].fd, POLLIN, POLLIN };

	if (pfd.fd >= 0)
		ctl_service(s, &pfd, 1, FRAME_NOW);
}

/* A server as ctl_listen and an accept leave it, without a listening
 * socket: connection 0 is fd, from a peer with uid. */
static void frame_server(struct ctl_server *s, int fd, uid_t uid, struct frame_seen *seen)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	for (int i = 0; i < CTL_CONNS_MAX; i++)
		s->conn[i].fd = -1;
	s->uid = FS_SERVER_UID;
	s->self = frame_self;
	s->handler = frame_handler;
	s->arg = seen;
	s->conn[0].fd = fd;
	s->conn[0].peer.uid = uid;
	s->conn[0].last_ms = FRAME_NOW;
}

static void fuzz_ctl_stream(const uint8_t *p, size_t n)
{
	static struct ctl_server s, before;
	static struct frame_model m;
	static struct frame_seen seen;
	struct frame_check k = { .before = &before };
	size_t nsizes, off = 0, len;
	const uint8_t *sizes, *data;
	int sv[2];

	if (n < 2 || n - 2 < p[1] || n > FUZZ_INPUT_MAX)
		return;
	nsizes = p[1];
	sizes = p + 2;
	data = sizes + nsizes;
	len = n - 2 - nsizes;
	must(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv));
	k.peer = sv[1];
	memset(&m, 0, sizeof m);
	m.peer_uid = p[0] & FS_PEER_OWNER ? FS_SERVER_UID : FS_SERVER_UID + 1;
	seen.n = 0;
	frame_server(&s, sv[0], m.peer_uid, &seen);
	memcpy(&before, &s, sizeof s);
	for (size_t i = 0; off < len && !m.closed; i++) {
		size_t c = nsizes ? (size_t)sizes[i % nsizes] + 1 : FS_CHUNK_MAX;
		c = c < len - off ? c : len - off;
		must(send(sv[1], data + off, c, MSG_NOSIGNAL) == (ssize_t)c);
		model_feed(&m, data + off, c);
		off += c;
		frame_serve(&s);
		frame_check(&k, &s, &m, &seen);
	}
	if ((p[0] & FS_PEER_CLOSES) && !m.closed) {
		must(!shutdown(sv[1], SHUT_WR));
		m.closed = 1;
		frame_serve(&s);
		frame_check(&k, &s, &m, &seen);
	}
	if (s.conn[0].fd >= 0)
		close(s.conn[0].fd);
	close(sv[1]);
}

/* The client: a status request, then the bytes p from the server, which
 * closes after them. ctl_call must take one frame, at most
 * CTL_REPLY_MAX, exactly, and leave what follows unread. */
static void fuzz_ctl_call(const uint8_t *p, size_t n)
{
	static struct ctl_child ca[REPLY_CHILDREN], cb[REPLY_CHILDREN];
	static uint8_t rest[FUZZ_INPUT_MAX];
	const struct ctl_request rq = { .v = CTL_VERSION, .op = CTL_STATUS };
	struct ctl_reply a = { .children = ca, .cap = REPLY_CHILDREN };
	struct ctl_reply b = { .children = cb, .cap = REPLY_CHILDREN };
	uint8_t req[CTL_HEADER + CTL_REQUEST_MAX], sent[sizeof req];
	size_t reqlen, used = n, fill = 0;
	int want_errno = 0, r, sv[2];
	const char *why = NULL;
	ssize_t k;

	if (n > sizeof rest)
		return;
	uint32_t len = n < CTL_HEADER ? 0 : be32(p);
	if (n < CTL_HEADER || (len && len <= CTL_REPLY_MAX && len > n - CTL_HEADER)) {
		want_errno = EPIPE;  /* closed in the header or the body */
	} else if (!len || len > CTL_REPLY_MAX) {
		want_errno = EBADMSG;
		used = CTL_HEADER;
	} else {
		used = CTL_HEADER + len;
		if (ctl_decode_reply(p + CTL_HEADER, len, &b, &why) < 0)
			want_errno = EBADMSG;
	}
	must(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv));
	must(send(sv[1], p, n, MSG_NOSIGNAL) == (ssize_t)n && !shutdown(sv[1], SHUT_WR));
	errno = 0;
	r = ctl_call(sv[0], &rq, &a, CTL_CALL_TIMEOUT_MS);
	must(want_errno ? r == -1 && errno == want_errno : r == 0);
	if (!r) {
		reply_sane(&a);
		same_reply(&a, &b, 0);
	}
	while ((k = recv(sv[0], rest + fill, sizeof rest - fill, MSG_DONTWAIT)) > 0)
		fill += (size_t)k;
	must(fill == n - used && !memcmp(rest, p + used, fill));
	must(!ctl_encode_request(&rq, req, sizeof req, &reqlen));
	must(recv(sv[1], sent, sizeof sent, MSG_DONTWAIT) == (ssize_t)reqlen && !memcmp(sent, req, reqlen));
	close(sv[0]);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;

	switch ((enum fuzz_target)(data[0] % FT_COUNT)) {
	case FT_STATE: fuzz_state(p, n); break;
	case FT_CTL_REQUEST: fuzz_ctl_request(p, n); break;
	case FT_CTL_REPLY: fuzz_ctl_reply(p, n); break;
	case FT_MARKER: fuzz_marker(p, n); break;
	case FT_SV_CONFIG: fuzz_sv_config(p, n); break;
	case FT_STAT: fuzz_stat(p, n); break;
	case FT_BOOT_ID: fuzz_boot_id(p, n); break;
	case FT_CGROUP: fuzz_cgroup(p, n); break;
	case FT_SYSTEMD: check_systemd(as_path(p, n)); break;
	case FT_PROCD: check_procd(as_path(p, n)); break;
	case FT_DETECT: fuzz_detect(p, n); break;
	case FT_ELF: fuzz_elf(p, n); break;
	case FT_ENVIRON: fuzz_environ(p, n); break;
	case FT_CMDLINE: fuzz_cmdline(p, n); break;
	case FT_CTL_STREAM: fuzz_ctl_stream(p, n); break;
	case FT_CTL_CALL: fuzz_ctl_call(p, n); break;
	case FT_COUNT: break;
	}
	return 0;
}
