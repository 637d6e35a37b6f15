#include <limits.h>
#include <string.h>
#include <time.h>

#include "exitcodes.h"
#include "fmt.h"
#include "report.h"

void view_load(struct tether_ctx *ctx, int dirfd, const char *name, struct view *v)
{
	v->verdict = IDENT_UNKNOWN;
	v->res = dirfd < 0 ? STATE_ABSENT : state_load(ctx, dirfd, name, &v->rec);
	if (v->res == STATE_OK)
		v->verdict = ident_check(ctx, &v->rec.id);
}

int view_running(const struct view *v)
{
	return v->res == STATE_OK && (v->verdict == IDENT_ALIVE || v->verdict == IDENT_UNVERIFIED);
}

int view_other_ns(const struct view *v)
{
	return v->res == STATE_OK && v->verdict == IDENT_OTHER_NS;
}

int view_status_code(const struct view *v)
{
	if (v->res != STATE_OK)
		return state_exit_code(v->res, EX_NOTRUNNING);
	switch (v->verdict) {
	case IDENT_ALIVE:
	case IDENT_UNVERIFIED:
		return EX_DONE;
	case IDENT_DEAD:
	case IDENT_UNVERIFIED_DEAD:
		return v->rec.stopped ? EX_NOTRUNNING : EX_FAIL;
	case IDENT_REUSED:
		return EX_REUSED;
	default:
		return EX_UNKNOWN;
	}
}

const char *view_state(const struct view *v)
{
	switch (v->res) {
	case STATE_OK:
		if (v->rec.stopped && (v->verdict == IDENT_DEAD || v->verdict == IDENT_UNVERIFIED_DEAD))
			return "stopped";
		return ident_verdict_name(v->verdict);
	case STATE_ABSENT: return "not-running";
	case STATE_INSECURE: return "refused";
	case STATE_CORRUPT: return "corrupt";
	default: return "unknown";
	}
}

static void human_duration(char *buf, size_t cap, long long up)
{
	/* A record's since is 0 or later, so up fits 32 bits until the
	 * clock passes 2106; clamped, the divisions are 32-bit multiplies
	 * rather than libgcc's 64-bit division on 32-bit targets. */
	unsigned s = up < 0 ? 0 : up > UINT_MAX ? UINT_MAX : (unsigned)up;

	if (s >= 86400)
		fmt(buf, cap, "%ud%uh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		fmt(buf, cap, "%uh%um", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		fmt(buf, cap, "%um%us", s / 60, s % 60);
	else
		fmt(buf, cap, "%us", s);
}

static void shell_kv(struct out *o, const char *k, const char *v, int last)
{
	out_fmt(o, "%s='", k);
	for (size_t n; *v; v += n) {
		n = strcspn(v, "'");
		out_fmt(o, "%.*s", (int)n, v);
		if (v[n] == '\'') {
			out_fmt(o, "'\\''");
			n++;
		}
	}
	out_fmt(o, "'%c", last ? '\n' : ' ');
}

#if CONFIG_JSON
static void report_json(struct out *o, const char *name, const struct view *v, long long up)
{
	const struct record *r = &v->rec;

	out_fmt(o, "{\"name\":");
	out_json_str(o, name);
	out_fmt(o, ",\"state\":\"%s\",\"code\":%d", view_state(v), view_status_code(v));
	if (v->res == STATE_OK) {
		out_fmt(o, ",\"pid\":%d,\"start\":%llu,\"uptime\":%lld,\"restarts\":%llu,\"boot\":",
			r->id.pid, r->id.start, up, r->restarts);
		out_json_str(o, r->id.boot);
		out_fmt(o, ",\"owner\":\"%s\"", owner_type_name(r->owner.type));
	}
	out_fmt(o, "}\n");
}
#endif

static void report_line(struct out *o, const char *name, const struct view *v, enum report_mode mode)
{
	const struct record *r = &v->rec;
	long long up = v->res == STATE_OK ? (long long)time(NULL) - r->since : 0;
	char dur[32], num[32];

#if CONFIG_JSON
	if (mode == REPORT_JSON) {
		report_json(o, name, v, up);
		return;
	}
#endif
	if (mode == REPORT_SHELL) {
		shell_kv(o, "TETHER_NAME", name, 0);
		shell_kv(o, "TETHER_STATE", view_state(v), v->res != STATE_OK);
		if (v->res != STATE_OK)
			return;
		fmt(num, sizeof num, "%d", r->id.pid);
		shell_kv(o, "TETHER_PID", num, 0);
		fmt(num, sizeof num, "%llu", r->id.start);
		shell_kv(o, "TETHER_START", num, 0);
		fmt(num, sizeof num, "%lld", up);
		shell_kv(o, "TETHER_UPTIME", num, 0);
		shell_kv(o, "TETHER_OWNER", owner_type_name(r->owner.type), 1);
		return;
	}
	if (v->res != STATE_OK) {
		out_fmt(o, "%s %s\n", name, view_state(v));
		return;
	}
	human_duration(dur, sizeof dur, up);
	out_fmt(o, "%s %s pid=%d up=%s owner=%s\n", name, view_state(v), r->id.pid,
		view_running(v) ? dur : "-", owner_type_name(r->owner.type));
}

void report_add(struct out *o, const char *name, const struct view *v, enum report_mode mode)
{
	report_line(o, name, v, mode);
	out_line(o);
}

int report_view(const char *name, const struct view *v, enum report_mode mode)
{
	struct out o;

	out_init(&o, 1);
	report_add(&o, name, v, mode);
	return out_flush(&o);
}
