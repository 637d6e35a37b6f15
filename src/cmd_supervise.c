#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "ctl.h"
#include "exitcodes.h"
#include "fmt.h"
#include "mem.h"
#include "msg.h"
#include "opt.h"
#include "sort.h"
#include "supervise.h"
#include "sys.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define REPEAT_MAX 10000000
#define SECONDS_MAX 86400

const char cmd_supervise_usage[] =
	"usage: tether supervise [OPTIONS] (-c FILE | -- CHILD CMD [ARG]... [-- CHILD CMD [ARG]...]...)\n"
	"       tether supervise [-n NAME | -s SOCK] --send OP [--child CHILD] [--repeat N] [--json]\n"
	HELP("Run each CHILD and keep it running, one at a time replaceable: a child\n"
	     "restarts alone (tether restart -n CHILD, --send restart, or SIGUSR1 with\n"
	     "CHILD written to STATE_DIR/NAME" SV_REQUEST_SUFFIX "), its siblings and the control\n"
	     "socket untouched. A child that dies is respawned after a delay that\n"
	     "doubles up to a cap; too many deaths within the window and it is marked\n"
	     "failed. TERM or INT stops the children in reverse order (the signal,\n"
	     "the grace, KILL), then removes the records, then the socket; HUP is\n"
	     "passed on to every child. As PID 1 it reaps every zombie. Each child\n"
	     "gets a record (owner tether) naming this socket; so does the supervisor.\n"
	     "One supervisor per socket: a start while a healthy one with the same\n"
	     "config owns it exits 152; a hung or dead owner is reclaimed, one with\n"
	     "another config is stopped first.\n"
	     "FILE: one child per line, CHILD CMD [ARG]...; '#' starts a comment line;\n"
	     "words split at blanks, '...' and \"...\" quote, \\ escapes.\n"
	     "  -n, --name NAME          record name (default " SV_NAME_DEFAULT ")\n"
	     "  -s, --sock PATH          control socket (default STATE_DIR/NAME" SV_SOCK_SUFFIX ")\n"
	     "  -c, --config FILE        the children, from FILE\n"
	     "  -g, --grace SECONDS      signal to KILL, per child (default " XSTR(CONFIG_STOP_TIMEOUT) ")\n"
	     "      --respawn-delay MS   first respawn delay (default " XSTR(SV_DELAY_MIN_MS) ")\n"
	     "      --respawn-max MS     the delay's cap (default " XSTR(SV_DELAY_MAX_MS) ")\n"
	     "      --give-up N          deaths within the window that stop respawning (default " XSTR(SV_GIVE_UP) ",\n"
	     "                           at most " XSTR(SV_GIVEUP_MAX) ")\n"
	     "      --window SECONDS     (default 60); a child up that long starts over\n"
	     "      --probe-timeout MS   a socket owner's deadline to answer (default " XSTR(CTL_PROBE_MS) ")\n"
	     "      --log FILE           children's stdout and stderr (default /dev/null)\n"
	     "Client of a running supervisor (control protocol: ctl.h):\n"
	     "      --send OP            status, list, restart or stop; print the reply\n"
	     "      --child CHILD        the child for restart and stop (stop without: all)\n"
	     "      --repeat N           status N times on one connection; print latencies\n")
#if CONFIG_JSON
	HELP("      --json               the reply as one JSON object\n")
#endif
	HELP("Exit: 0 shut down cleanly (client: ok), 1 failed (client: refused),\n"
	     "2 usage, 152 already running (pid printed), 155 socket path or lock\n"
	     "refused (not a socket, symlink, foreign owner), 157/158 (client) no\n"
	     "answer / no supervisor.\n");

enum {
	OPT_DELAY = OPT_FIRST_FREE, OPT_DELAY_MAX, OPT_GIVE_UP, OPT_WINDOW, OPT_PROBE, OPT_LOG,
	OPT_SEND, OPT_CHILD, OPT_REPEAT, OPT_JSON_OUT,
};

struct sup_cmd {
	struct sv_opts sv;
	const char *config;
	const char *send;
	const char *child;
	long long repeat;
	int json;
	char sock[SOCK_MAX];
	char **groups;  /* the operands: CHILD CMD groups */
	int groupc;
};

static int num_opt(const char *s, long long min, long long max, int scale, int *out)
{
	long long v;

	if (opt_num(s, min, max, &v) < 0)
		return -1;
	*out = (int)(v * scale);
	return 0;
}

static int parse_one(struct tether_ctx *ctx, int c, char *arg, struct sup_cmd *o)
{
	struct sv_policy *p = &o->sv.policy;

	switch (c) {
	case 'n': o->sv.name = arg; return name_valid(arg) ? 0 : -1;
	case 's': o->sv.sock = arg; return 0;
	case 'c': o->config = arg; return 0;
	case 'g': return num_opt(arg, 0, SECONDS_MAX, MS_PER_S, &o->sv.grace_ms);
	case OPT_DELAY: return num_opt(arg, 1, SECONDS_MAX * MS_PER_S, 1, &p->delay_min_ms);
	case OPT_DELAY_MAX: return num_opt(arg, 1, SECONDS_MAX * MS_PER_S, 1, &p->delay_max_ms);
	case OPT_GIVE_UP: return num_opt(arg, 1, SV_GIVEUP_MAX, 1, &p->give_up);
	case OPT_WINDOW: return num_opt(arg, 1, SECONDS_MAX, MS_PER_S, &p->window_ms);
	case OPT_PROBE: return num_opt(arg, 1, SECONDS_MAX * MS_PER_S, 1, &o->sv.probe_ms);
	case OPT_LOG: o->sv.log = arg; return 0;
	case OPT_SEND: o->send = arg; return ctl_op_parse(arg) < 0 ? -1 : 0;
	case OPT_CHILD: o->child = arg; return name_valid(arg) ? 0 : -1;
	case OPT_REPEAT: return opt_num(arg, 1, REPEAT_MAX, &o->repeat);
	case OPT_JSON_OUT: o->json = 1; return 0;
	}
	(void)ctx;
	return -1;
}

/* The socket path, absolute: records are read from any directory. */
static int sock_path(struct tether_ctx *ctx, struct sup_cmd *o)
{
	char cwd[PATH_MAX], rel[PATH_MAX];

	if (o->sv.sock)
		fmt(rel, sizeof rel, "%s", o->sv.sock);
	else
		fmt(rel, sizeof rel, "%s/%s" SV_SOCK_SUFFIX, ctx->state_dir, o->sv.name);
	if (rel[0] != '/' && !sys_getcwd(cwd, sizeof cwd))
		return -1;
	if (fmt(o->sock, sizeof o->sock, "%s%s%s", rel[0] == '/' ? "" : cwd, rel[0] == '/' ? "" : "/", rel) >=
	    sizeof o->sock)
		return -1;
	o->sv.sock = o->sock;
	return 0;
}

static int parse(struct tether_ctx *ctx, int argc, char **argv, struct sup_cmd *o)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "sock", OPT_VALUE, 's' },
		{ "config", OPT_VALUE, 'c' },
		{ "grace", OPT_VALUE, 'g' },
		{ "respawn-delay", OPT_VALUE, OPT_DELAY },
		{ "respawn-max", OPT_VALUE, OPT_DELAY_MAX },
		{ "give-up", OPT_VALUE, OPT_GIVE_UP },
		{ "window", OPT_VALUE, OPT_WINDOW },
		{ "probe-timeout", OPT_VALUE, OPT_PROBE },
		{ "log", OPT_VALUE, OPT_LOG },
		{ "send", OPT_VALUE, OPT_SEND },
		{ "child", OPT_VALUE, OPT_CHILD },
		{ "repeat", OPT_VALUE, OPT_REPEAT },
#if CONFIG_JSON
		{ "json", OPT_FLAG, OPT_JSON_OUT },
#endif
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	int c;

	while ((c = opt_next(&st, argc, argv, "n:s:c:g:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_supervise_usage))
			continue;
		if (c < 0)
			return opt_error(ctx, cmd_supervise_usage, &st, c);
		if (parse_one(ctx, c, st.arg, o) < 0)
			return opt_bad_value(ctx, cmd_supervise_usage, &st);
	}
	o->groups = argv + st.ind;
	o->groupc = argc - st.ind;
	if (sock_path(ctx, o) < 0)
		return opt_usage(ctx, cmd_supervise_usage, "socket path too long (max 107 bytes)", o->sv.sock);
	if (o->sv.policy.delay_max_ms < o->sv.policy.delay_min_ms)
		o->sv.policy.delay_max_ms = o->sv.policy.delay_min_ms;
	if (o->send)
		return st.ind < argc ? opt_usage(ctx, cmd_supervise_usage, "--send takes no children", NULL) : 0;
	if (o->child || o->repeat)
		return opt_usage(ctx, cmd_supervise_usage, "--child and --repeat go with --send", NULL);
	if (!o->config == (st.ind >= argc))
		return opt_usage(ctx, cmd_supervise_usage, "give -c FILE or -- CHILD CMD groups (one of them)", NULL);
	return 0;
}

static int load_file(struct tether_ctx *ctx, const char *path, struct sv_config *c)
{
	static const size_t cap = SV_CONFIG_MAX;
	char err[SV_ERR_MAX], *text = mem_alloc(cap);
	size_t n = 0;
	ssize_t k = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0 || !text) {
		msg_syserr(ctx, fd < 0 ? "open" : "mmap for", path);
		mem_free(text);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (n < cap && ((k = read(fd, text + n, cap - n)) > 0 || (k < 0 && errno == EINTR)))
		n += k > 0 ? (size_t)k : 0;
	close(fd);
	if (k < 0)
		msg_syserr(ctx, "read", path);
	r = k < 0 ? -1 : sv_config_parse(c, text, n, err, sizeof err);
	if (r < 0 && k >= 0)
		msg_error(ctx, "%s: %s", path, err);
	mem_free(text);
	return r;
}

/* ---- client ---- */

static void print_reply(const struct ctl_reply *rp, int json)
{
	struct out o;

	out_init(&o, 1);
#if CONFIG_JSON
	if (json) {
		out_fmt(&o, "{\"ok\":%s,\"pid\":%d,\"start\":%llu,\"name\":", rp->ok ? "true" : "false", rp->pid,
			rp->start);
		out_json_str(&o, rp->name);
		out_fmt(&o, ",\"sock\":");
		out_json_str(&o, rp->sock);
		out_fmt(&o, ",\"cfg\":\"%s\"", rp->cfg);
		if (!rp->ok) {
			out_fmt(&o, ",\"err\":");
			out_json_str(&o, rp->err);
		}
		if (rp->list) {
			out_fmt(&o, ",\"children\":[");
			for (int i = 0; i < rp->nchildren; i++) {
				const struct ctl_child *c = &rp->children[i];
				out_fmt(&o, "%s{\"name\":\"%s\",\"state\":\"%s\",\"pid\":%d,\"start\":%llu,\"restarts\":%llu}",
					i ? "," : "", c->name, c->state, c->pid, c->start, c->restarts);
			}
			out_fmt(&o, "]");
		}
		out_fmt(&o, "}\n");
		out_flush(&o);
		return;
	}
#else
	(void)json;
#endif
	out_fmt(&o, "%s pid=%d start=%llu name=%s sock=%s cfg=%s%s%s\n", rp->ok ? "ok" : "refused", rp->pid, rp->start,
		rp->name, rp->sock, rp->cfg, rp->ok ? "" : " err=", rp->ok ? "" : rp->err);
	for (int i = 0; rp->list && i < rp->nchildren; i++)
		out_fmt(&o, "%s %s pid=%d start=%llu restarts=%llu\n", rp->children[i].name, rp->children[i].state,
			rp->children[i].pid, rp->children[i].start, rp->children[i].restarts);
	out_flush(&o);
}

static int call_failed(struct tether_ctx *ctx, const char *sock, int e)
{
	if (e == ETIMEDOUT) {
		msg_error(ctx, "%s: no answer in %d ms", sock, CTL_CALL_TIMEOUT_MS);
		return EX_TIMEOUT;
	}
	errno = e;
	msg_syserr(ctx, "no supervisor at", sock);
	return EX_NOTOOL;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The bench hook: n status round trips on one connection. */
static int repeat_status(struct tether_ctx *ctx, const char *sock, long long n)
{
	struct ctl_request rq = { .v = CTL_VERSION, .op = CTL_STATUS };
	struct ctl_reply rp = { 0 };
	long long *us = mem_alloc((size_t)n * sizeof *us);
	int fd = ctl_connect(sock), code = EX_DONE;

	if (fd < 0 || !us) {
		code = call_failed(ctx, sock, errno);
		goto out;
	}
	for (long long i = 0; i < n; i++) {
		long long t0 = now_us();
		if (ctl_call(fd, &rq, &rp, CTL_CALL_TIMEOUT_MS) < 0) {
			code = call_failed(ctx, sock, errno);
			goto out;
		}
		us[i] = now_us() - t0;
	}
	sort(us, (size_t)n, sizeof *us, cmp_ll);
	/* n <= REPEAT_MAX, so n * 99 fits 32 bits: unsigned division, not
	 * libgcc's 64-bit one on 32-bit targets. */
	unsigned m = (unsigned)n, p99 = m * 99 / 100;
	say(1, "%u status round trips: median %lld us, p99 %lld us, max %lld us\n", m, us[m / 2],
	    us[p99 < m ? p99 : m - 1], us[m - 1]);
out:
	if (fd >= 0)
		close(fd);
	mem_free(us);
	return code;
}

static int client(struct tether_ctx *ctx, const struct sup_cmd *o)
{
	struct ctl_request rq = { .v = CTL_VERSION, .op = (enum ctl_op)ctl_op_parse(o->send) };
	struct ctl_child children[SV_CHILDREN_MAX];
	struct ctl_reply rp = { .children = children, .cap = SV_CHILDREN_MAX };

	if (o->repeat)
		return rq.op == CTL_STATUS ? repeat_status(ctx, o->sock, o->repeat)
					   : opt_usage(ctx, cmd_supervise_usage, "--repeat is for status", NULL);
	if (o->child)
		fmt(rq.name, sizeof rq.name, "%s", o->child);
	if (ctl_request(o->sock, &rq, &rp, CTL_CALL_TIMEOUT_MS) < 0)
		return call_failed(ctx, o->sock, errno);
	print_reply(&rp, o->json);
	return rp.ok ? EX_DONE : EX_FAIL;
}

int cmd_supervise(struct tether_ctx *ctx, int argc, char **argv)
{
	struct sup_cmd o = {
		.sv = {
			.name = SV_NAME_DEFAULT,
			.grace_ms = CONFIG_STOP_TIMEOUT * MS_PER_S,
			.probe_ms = CTL_PROBE_MS,
			.policy = { SV_DELAY_MIN_MS, SV_DELAY_MAX_MS, SV_GIVE_UP, SV_WINDOW_MS },
			.argc = argc,
			.argv = argv,
		},
	};
	struct sv_config *cfg;
	char err[SV_ERR_MAX];
	int code = parse(ctx, argc, argv, &o);

	if (code)
		return code;
	if (o.send)
		return client(ctx, &o);
	if (!(cfg = mem_alloc(sizeof *cfg))) {
		msg_syserr(ctx, "mmap", NULL);
		return EX_FAIL;
	}
	if (o.config ? load_file(ctx, o.config, cfg) < 0
		     : sv_config_args(cfg, o.groupc, o.groups, err, sizeof err) < 0) {
		if (!o.config)
			msg_error(ctx, "%s", err);
		mem_free(cfg);
		return EX_USAGE;
	}
	for (int i = 0; i < cfg->count; i++)
		if (!strcmp(cfg->child[i].name, o.sv.name)) {
			msg_error(ctx, "child %s has the supervisor's own name", o.sv.name);
			mem_free(cfg);
			return EX_USAGE;
		}
	code = supervise_run(ctx, &o.sv, cfg);
	mem_free(cfg);
	return code;
}
