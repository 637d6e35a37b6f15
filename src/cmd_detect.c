#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cmds.h"
#include "exitcodes.h"
#include "msg.h"
#include "opt.h"
#include "sup.h"

enum { OPT_CGROUP = OPT_FIRST_FREE, OPT_INVOCATION_ID };

#define STDIN_NAME "-"

const char cmd_detect_usage[] =
	"usage: tether detect [PID] [--json]\n"
	"       tether detect --cgroup FILE [--invocation-id ID]\n"
	HELP("Print the supervisor that owns PID (default: tether itself), e.g.\n"
	     "\"owner=runit dir=/etc/sv/foo\" or \"owner=none\".\n"
	     "  --json              one JSON object\n"
	     "  --cgroup FILE       decide from a saved /proc/PID/cgroup (- is stdin)\n"
	     "  --invocation-id ID  with --cgroup: the process's $INVOCATION_ID\n"
	     "  --proc-root DIR     read DIR instead of /proc\n"
	     "  -v, --verbose       trace each decision on stderr\n");

struct detect_args {
	int pid;  /* 0: tether itself */
	const char *pid_arg;  /* the first operand, or NULL */
	const char *extra;    /* a second one: too many */
	int json;
	const char *cgroup;
	const char *invocation_id;
};

static int usage_error(struct tether_ctx *ctx, const char *why, const char *arg)
{
	return opt_usage(ctx, cmd_detect_usage, why, arg);
}

static int check_args(struct tether_ctx *ctx, struct detect_args *a)
{
	long long pid;

	if (a->extra)
		return usage_error(ctx, "too many arguments", a->extra);
	if (a->invocation_id && !a->cgroup)
		return usage_error(ctx, "--invocation-id needs --cgroup", NULL);
#if !CONFIG_JSON
	if (a->json)
		return usage_error(ctx, "--json is not in this build", NULL);
#endif
	if (!a->pid_arg)
		return EX_DONE;
	if (a->cgroup)
		return usage_error(ctx, "PID and --cgroup exclude each other", a->pid_arg);
	if (opt_num(a->pid_arg, 1, INT_MAX, &pid) < 0)
		return usage_error(ctx, "not a process id", a->pid_arg);
	a->pid = (int)pid;
	return EX_DONE;
}

static int parse(struct tether_ctx *ctx, int argc, char **argv, struct detect_args *a)
{
	static const struct opt_long longs[] = {
		{ "json", OPT_FLAG, OPT_JSON },
		{ "cgroup", OPT_VALUE, OPT_CGROUP },
		{ "invocation-id", OPT_VALUE, OPT_INVOCATION_ID },
		OPT_COMMON_LONG,
		{ 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	int c;

	/* '-': options may follow PID, as the synopsis shows them. */
	while ((c = opt_next(&st, argc, argv, "-vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_detect_usage))
			continue;
		switch (c) {
		case OPT_OPERAND:
			if (!a->pid_arg)
				a->pid_arg = st.arg;
			else if (!a->extra)
				a->extra = st.arg;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_CGROUP:
			a->cgroup = st.arg;
			break;
		case OPT_INVOCATION_ID:
			a->invocation_id = st.arg;
			break;
		default:
			return opt_error(ctx, cmd_detect_usage, &st, c);
		}
	}
	return check_args(ctx, a);
}

/* Up to cap bytes of a file (or stdin); cap itself means "too big". */
static ssize_t read_up_to(const char *name, char *buf, size_t cap)
{
	int fd = strcmp(name, STDIN_NAME) ? open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY) : STDIN_FILENO;
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (len < cap) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	int e = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	errno = e;
	return n < 0 ? -1 : (ssize_t)len;
}

static int from_file(struct tether_ctx *ctx, const struct detect_args *a, struct owner *o)
{
	char buf[CGROUP_FILE_MAX + 1];
	ssize_t n = read_up_to(a->cgroup, buf, sizeof buf);

	if (n < 0) {
		msg_syserr(ctx, "cannot read", a->cgroup);
		return EX_FAIL;
	}
	if ((size_t)n > CGROUP_FILE_MAX) {
		msg_error(ctx, "%s: over %d bytes, not a cgroup file", a->cgroup, CGROUP_FILE_MAX);
		return EX_FAIL;
	}
	sup_detect_cgroup(ctx, buf, (size_t)n, a->invocation_id, o);
	return EX_DONE;
}

static int from_pid(struct tether_ctx *ctx, const struct detect_args *a, struct owner *o)
{
	if (sup_detect(ctx, a->pid, o) == 0)
		return EX_DONE;
	if (errno == ESRCH)
		msg_error(ctx, "no such process: %d", a->pid);
	else
		msg_error(ctx, "cannot inspect process %d: %s", a->pid, strerror(errno));
	return EX_FAIL;
}

int cmd_detect(struct tether_ctx *ctx, int argc, char **argv)
{
	struct detect_args a = { 0 };
	struct owner o;
	int r = parse(ctx, argc, argv, &a);

	if (r != EX_DONE)
		return r;
	r = a.cgroup ? from_file(ctx, &a, &o) : from_pid(ctx, &a, &o);
	if (r != EX_DONE)
		return r;
	if (sup_print(&o, a.json || ctx->json, STDOUT_FILENO) < 0) {
		msg_syserr(ctx, "cannot write", "stdout");
		return EX_FAIL;
	}
	return EX_DONE;
}
