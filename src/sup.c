#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "run.h"
#include "sup.h"
#include "sys.h"

#define TASK_COMM_LEN 16  /* the kernel's comm buffer, NUL included */
#define CMDLINE_MAX 1024
#define BUSYBOX "busybox"
#define CONTROL_FIFO "supervise/control"
#define DELETED_SUFFIX " (deleted)"
#define TOOL_LINE_MAX 512
#define UID_TEXT_MAX 16

#if CONFIG_CMD_SUPERVISE
extern const struct sup_backend sup_tether;  /* sup_tether.c: parent is `tether supervise` */
#endif

/* The nearest supervisor first: see sup.h. NULL-terminated, so a build
 * without any backend still has an array. */
static const struct sup_backend *const backends[] = {
#if CONFIG_CMD_SUPERVISE
	&sup_tether,
#endif
#if CONFIG_SUP_RUNIT
	&sup_runit,
#endif
#if CONFIG_SUP_S6
	&sup_s6,
#endif
#if CONFIG_SUP_DAEMONTOOLS
	&sup_daemontools,
#endif
#if CONFIG_SUP_OPENRC
	&sup_openrc,
#endif
#if CONFIG_SUP_SYSTEMD
	&sup_systemd,
#endif
#if CONFIG_SUP_PROCD
	&sup_procd,
#endif
	NULL
};

static void set_none(struct owner *o)
{
	owner_clear(o);
	o->type = OWNER_NONE;
}

static void copy_basename(char *dst, size_t cap, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	fmt(dst, cap, "%s", slash ? slash + 1 : path);
	n = strlen(dst);
	if (n > strlen(DELETED_SUFFIX) && !strcmp(dst + n - strlen(DELETED_SUFFIX), DELETED_SUFFIX))
		dst[n - strlen(DELETED_SUFFIX)] = 0;  /* replaced on disk since exec */
}

int sup_parent_is(const struct sup_probe *p, const char *name)
{
	size_t n = strlen(p->pcomm);

	if (!p->ppid)
		return 0;
	if (!strcmp(p->pcomm, name) || (n == TASK_COMM_LEN - 1 && !strncmp(p->pcomm, name, n)))
		return 1;
	if (!strcmp(p->pargv0, name) || !strcmp(p->pexe, name))
		return 1;
	return !strcmp(p->pargv0, BUSYBOX) && !strcmp(p->pargv1, name);
}

int sup_service_name_ok(const char *s)
{
	return *s && *s != '-' && *s != '.' && !strchr(s, '/') && strlen(s) < OWNER_SERVICE_MAX;
}

const char *sup_verb(enum sup_action a)
{
	return a == SUP_STOP ? "stop" : "restart";
}

static void probe_parent(struct tether_ctx *ctx, struct sup_probe *p, int ppid)
{
	struct proc_stat st;
	char buf[CMDLINE_MAX], *arg;
	size_t at = 0;
	ssize_t n;

	if (ppid <= 0 || procfs_stat(ctx, ppid, &st) < 0 || st.state == 'Z' || st.state == 'X') {
		msg_trace(ctx, "parent %d unreadable or gone: no parent-based owner", ppid);
		return;
	}
	p->ppid = ppid;
	fmt(p->pcomm, sizeof p->pcomm, "%s", st.comm);
	n = procfs_read(ctx, ppid, "cmdline", buf, sizeof buf);
	if (n > 0 && (arg = procfs_arg_next(buf, (size_t)n, sizeof buf, &at))) {
		copy_basename(p->pargv0, sizeof p->pargv0, arg);
		if ((arg = procfs_arg_next(buf, (size_t)n, sizeof buf, &at)))
			fmt(p->pargv1, sizeof p->pargv1, "%s", arg);
	}
	if (procfs_readlink(ctx, ppid, "exe", buf, sizeof buf) >= 0)
		copy_basename(p->pexe, sizeof p->pexe, buf);
}

/* A read that filled the buffer may end in a cut line: drop it. */
static size_t whole_lines(const char *buf, size_t n, size_t cap)
{
	if (n + 1 < cap)
		return n;
	while (n && buf[n - 1] != '\n')
		n--;
	return n;
}

static int probe_cgroup(struct tether_ctx *ctx, int pid, char *path, size_t cap)
{
	char buf[CGROUP_FILE_MAX];
	ssize_t n = procfs_read(ctx, pid, "cgroup", buf, sizeof buf);

	if (n < 0) {
		msg_trace(ctx, "cgroup of %d unreadable: %s", pid, strerror(errno));
		return -1;
	}
	if (cgroup_pick_path(buf, whole_lines(buf, (size_t)n, sizeof buf), path, cap) < 0) {
		msg_trace(ctx, "cgroup of %d: no usable line", pid);
		return -1;
	}
	msg_trace(ctx, "cgroup of %d: %s", pid, path);
	return 0;
}

static int detect_one(struct tether_ctx *ctx, const struct sup_backend *b, const struct sup_probe *p,
		      struct owner *o)
{
	if (b->detect)
		return b->detect(ctx, p, o);
	if (!sup_parent_is(p, b->parent))
		return 0;
	o->type = b->type;
	if (procfs_readlink(ctx, p->ppid, "cwd", o->dir, sizeof o->dir) < 0) {
		o->dir[0] = 0;
		msg_trace(ctx, "%s: cwd of %s %d unreadable: service directory unknown", owner_type_name(b->type),
			  b->parent, p->ppid);
	}
	return 1;
}

static int classify(struct tether_ctx *ctx, const struct sup_probe *p, struct owner *o)
{
	for (size_t i = 0; backends[i]; i++) {
		set_none(o);
		if (detect_one(ctx, backends[i], p, o)) {
			msg_trace(ctx, "owner: %s", owner_type_name(o->type));
			return 0;
		}
	}
	set_none(o);
	msg_trace(ctx, "owner: none");
	return 0;
}

static int target_stat(struct tether_ctx *ctx, int pid, struct proc_stat *st)
{
	int r = pid ? procfs_stat(ctx, pid, st) : procfs_self_stat(ctx, st);

	if (r < 0 && errno == ENOENT)
		errno = ESRCH;
	if (r == 0 && (st->state == 'Z' || st->state == 'X')) {
		errno = ESRCH;
		r = -1;
	}
	return r;
}

int sup_detect(struct tether_ctx *ctx, int pid, struct owner *o)
{
	struct sup_probe p = { 0 };
	struct proc_stat st;
	char cg[CGROUP_PATH_MAX];

	set_none(o);
	if (pid < 0) {
		errno = ESRCH;
		return -1;
	}
	if (!procfs_available(ctx)) {
		msg_trace(ctx, "no proc tree at %s: owner none", ctx->proc_root);
		return 0;
	}
	if (target_stat(ctx, pid, &st) < 0)
		return -1;
	p.pid = st.pid;
	p.self = pid == 0;
	if (probe_cgroup(ctx, p.pid, cg, sizeof cg) == 0)
		p.cgroup = cg;
	probe_parent(ctx, &p, st.ppid);
	return classify(ctx, &p, o);
}

int sup_detect_cgroup(struct tether_ctx *ctx, const char *cgroup_text, size_t len, const char *invocation_id,
		      struct owner *o)
{
	struct sup_probe p = { 0 };
	char cg[CGROUP_PATH_MAX];

	if (cgroup_pick_path(cgroup_text, len, cg, sizeof cg) == 0)
		p.cgroup = cg;
	else
		msg_trace(ctx, "cgroup text: no usable line");
	p.invocation_id = invocation_id;
	return classify(ctx, &p, o);
}

/* ---- restart and stop ---- */

static const char *errno_name(int e)
{
	switch (e) {
	case ENXIO:
		return "ENXIO";
	case ENOENT:
		return "ENOENT";
	case ENOTDIR:
		return "ENOTDIR";
	case EAGAIN:
		return "EAGAIN";
	}
	return strerror(e);
}

/* ENXIO: nobody has the FIFO open for reading; EAGAIN: nobody drains it. */
static int control_failed(struct tether_ctx *ctx, const struct owner *o, const char *prog, const char *path, int e)
{
	if (e == ENXIO || e == ENOENT || e == ENOTDIR || e == EAGAIN) {
		msg_error(ctx, "%s not running for %s (%s: %s)", prog, o->dir, CONTROL_FIFO, errno_name(e));
		return EX_NOTOOL;
	}
	errno = e;
	msg_syserr(ctx, "cannot write to", path);
	return EX_FAIL;
}

static int control_write(struct tether_ctx *ctx, const struct owner *o, const char *prog, const char *cmd)
{
	char path[PATH_MAX];
	size_t len = strlen(cmd);
	struct stat sb;
	ssize_t n;
	int fd, e;

	if (!o->dir[0]) {
		msg_error(ctx, "%s service directory unknown: cannot reach %s", owner_type_name(o->type), prog);
		return EX_FAIL;
	}
	if (fmt(path, sizeof path, "%s/%s", o->dir, CONTROL_FIFO) >= sizeof path)
		return control_failed(ctx, o, prog, o->dir, ENAMETOOLONG);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return control_failed(ctx, o, prog, path, errno);
	if (fstat(fd, &sb) < 0 || !S_ISFIFO(sb.st_mode)) {
		close(fd);
		msg_error(ctx, "%s is not a FIFO: refusing to write to it", path);
		return EX_FAIL;
	}
	while ((n = write(fd, cmd, len)) < 0 && errno == EINTR)
		;
	e = n < 0 ? errno : EAGAIN;
	close(fd);
	if (n == (ssize_t)len) {
		msg_trace(ctx, "wrote \"%s\" to %s", cmd, path);
		return EX_DONE;
	}
	return control_failed(ctx, o, prog, path, e);
}

static void join_argv(char *buf, size_t cap, char *const argv[])
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; argv[i] && n < cap; i++)
		n += fmt(buf + n, cap - n, "%s%s", i ? " " : "", argv[i]);
}

int sup_tool(struct tether_ctx *ctx, char *const argv[])
{
	char line[TOOL_LINE_MAX];
	int status;

	join_argv(line, sizeof line, argv);
	if (run_wait(ctx, argv, NULL, SUP_TOOL_TIMEOUT_MS, &status) < 0) {
		int e = errno;
		if (e == ENOENT && strchr(argv[0], '/'))
			msg_error(ctx, "%s not found", argv[0]);
		else if (e == ENOENT)
			msg_error(ctx, "%s not found in PATH", argv[0]);
		else if (e == ETIMEDOUT)
			msg_error(ctx, "%s: no answer in %d s, killed it", line, SUP_TOOL_TIMEOUT_MS / MS_PER_S);
		else
			msg_error(ctx, "cannot run %s: %s", argv[0], strerror(e));
		return e == ENOENT ? EX_NOTOOL : e == ETIMEDOUT ? EX_TIMEOUT : EX_FAIL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		msg_trace(ctx, "%s: done", line);
		return EX_DONE;
	}
	if (WIFEXITED(status))
		msg_error(ctx, "%s failed (exit %d)", line, WEXITSTATUS(status));
	else
		msg_error(ctx, "%s killed by signal %d", line, WTERMSIG(status));
	return EX_FAIL;
}

static int act(struct tether_ctx *ctx, const struct owner *o, enum sup_action a)
{
	for (size_t i = 0; backends[i]; i++) {
		const struct sup_backend *b = backends[i];
		if (b->type != o->type)
			continue;
		if (b->act)
			return b->act(ctx, o, a);
		return control_write(ctx, o, b->parent, a == SUP_STOP ? b->stop_cmd : b->restart_cmd);
	}
	if (o->type == OWNER_NONE || o->type == OWNER_UNKNOWN)
		msg_error(ctx, "not supervised: no owner to %s it through", sup_verb(a));
	else
		msg_error(ctx, "cannot %s through %s: not supported by this build", sup_verb(a),
			  owner_type_name(o->type));
	return EX_FAIL;
}

int sup_restart(struct tether_ctx *ctx, const struct owner *o)
{
	return act(ctx, o, SUP_RESTART);
}

int sup_stop(struct tether_ctx *ctx, const struct owner *o)
{
	return act(ctx, o, SUP_STOP);
}

/* ---- printing ---- */

struct field {
	const char *key;
	const char *val;
	int number;  /* JSON: unquoted */
};

#define FIELDS_MAX 4

static size_t owner_fields(const struct owner *o, struct field *f, char *uid_text)
{
	size_t n = 0;

	switch (o->type) {
	case OWNER_SYSTEMD:
		f[n++] = (struct field){ "unit", o->unit, 0 };
		f[n++] = (struct field){ "scope", o->uid >= 0 ? "user" : "system", 0 };
		if (o->uid >= 0) {
			fmt(uid_text, UID_TEXT_MAX, "%d", o->uid);
			f[n++] = (struct field){ "uid", uid_text, 1 };
		}
		break;
	case OWNER_PROCD:
	case OWNER_OPENRC:
		f[n++] = (struct field){ "service", o->service, 0 };
		f[n++] = (struct field){ "instance", o->instance, 0 };
		break;
	case OWNER_RUNIT:
	case OWNER_S6:
	case OWNER_DAEMONTOOLS:
	case OWNER_TETHER:
		f[n++] = (struct field){ "dir", o->dir, 0 };
		f[n++] = (struct field){ "instance", o->instance, 0 };
		break;
	default:
		break;
	}
	return n;
}

static void print_value(struct out *out, const char *s)
{
	while (*s) {
		size_t safe = 0;
		while (s[safe] && (unsigned char)s[safe] > ' ' && s[safe] != 0x7f)
			safe++;
		if (safe) {
			out_fmt(out, "%.*s", (int)safe, s);
			s += safe;
		} else {
			out_fmt(out, "\\x%02x", (unsigned)(unsigned char)*s++);
		}
	}
}

static void print_plain(struct out *out, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!f[i].val[0])
			continue;
		out_fmt(out, " %s=", f[i].key);
		print_value(out, f[i].val);
	}
	out_fmt(out, "\n");
}

#if CONFIG_JSON
static void print_json(struct out *out, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!f[i].val[0])
			continue;
		out_fmt(out, ",\"%s\":", f[i].key);
		if (f[i].number)
			out_fmt(out, "%s", f[i].val);
		else
			out_json_str(out, f[i].val);
	}
	out_fmt(out, "}\n");
}
#endif

void sup_put(struct out *out, const struct owner *o, int json)
{
	struct field f[FIELDS_MAX];
	char uid_text[UID_TEXT_MAX];
	size_t n = owner_fields(o, f, uid_text);

#if CONFIG_JSON
	if (json) {
		out_fmt(out, "{\"owner\":\"%s\"", owner_type_name(o->type));
		print_json(out, f, n);
		return;
	}
#else
	(void)json;
#endif
	out_fmt(out, "owner=%s", owner_type_name(o->type));
	print_plain(out, f, n);
}

int sup_print(const struct owner *o, int json, int fd)
{
	struct out out;

	out_init(&out, fd);
	sup_put(&out, o, json);
	return out_flush(&out);
}
